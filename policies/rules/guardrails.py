"""What a Bedrock guardrail filters: prompt attacks (jailbreaks, prompt injection) on the way in, and
personal data (PII entities, custom regexes) both ways. A guardrail's key is the data-store table's
(``data-store-customer-managed-key``, ``kmsKeyArn``); whether agents use one is ``bedrock-agent-guardrail``.

``aws.bedrock.Guardrail`` (pulumi-aws 7 bedrock/guardrail.py, bedrock/_inputs.py) mirrors botocore bedrock
``CreateGuardrailRequest``:

- ``contentPolicyConfig.filtersConfigs[]``: ``{type, inputStrength, outputStrength, inputAction, inputEnabled, ...}``;
  ``type`` one of ``SEXUAL``, ``VIOLENCE``, ``HATE``, ``INSULTS``, ``MISCONDUCT``, ``PROMPT_ATTACK``
  (``GuardrailContentFilterType``), strengths ``NONE``, ``LOW``, ``MEDIUM``, ``HIGH`` (``GuardrailFilterStrength``);
  ``inputAction`` ``BLOCK`` or ``NONE`` ("NONE - Take no action but return detection information in the trace
  response"); ``inputEnabled`` false turns the evaluation off ("The evaluation doesn't appear in the response").
  A prompt-attack filter applies to input only (its outputStrength must be NONE).
- ``sensitiveInformationPolicyConfig``: ``piiEntitiesConfigs[]`` ``{type, action, inputAction, outputAction,
  inputEnabled, outputEnabled}`` and ``regexesConfigs[]`` ``{name, pattern, action, ...}``; actions ``BLOCK``,
  ``ANONYMIZE``, ``NONE`` (``GuardrailSensitiveInformationAction``); ``inputAction``/``outputAction`` override
  ``action`` for one side.

An absent action or ``...Enabled`` is taken as AWS's behaviour when only ``action``/strengths are given: the
filter acts (the detect-only ``NONE`` and the ``false`` switches are opt-in).
"""

from __future__ import annotations

from typing import Any, Optional

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from policies.rules._declare import applies_to, config_schema, frameworks, policy_config
from policies.rules._props import as_bool, as_list, describe, get, is_unknown, single

GUARDRAIL = "aws:bedrock/guardrail:Guardrail"
#: pulumi-aws-native's AWS::Bedrock::Guardrail: the same blocks, with singular list names (``filtersConfig``,
#: ``piiEntitiesConfig``, ``regexesConfig``; pulumi-aws-native 1.84 bedrock/_inputs.py).
NATIVE_GUARDRAIL = "aws-native:bedrock:Guardrail"
GUARDRAILS = (GUARDRAIL, NATIVE_GUARDRAIL)


def _list_name(args: ResourceValidationArgs, name: str) -> str:
    """``filtersConfigs`` and the like as pulumi-aws names them; pulumi-aws-native drops the final s."""
    return name[:-1] if args.resource_type == NATIVE_GUARDRAIL else name

STRENGTHS = ("NONE", "LOW", "MEDIUM", "HIGH")
#: The sensitive-information actions that keep the data from passing (``NONE`` only reports it).
ACTING = ("BLOCK", "ANONYMIZE")


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _items(block: Any, name: str) -> Any:
    """The list ``name`` of a block (an object or a list of one); UNKNOWN if the block or the list is unknown."""
    block = single(block)
    if is_unknown(block):
        return block
    return as_list(get(block, name)) if isinstance(block, dict) else []


# --- bedrock-guardrail-prompt-attack-filter ------------------------------------------------------------------------

PROMPT_ATTACK_SCHEMA = config_schema(
    minInputStrength={
        "type": "string", "enum": list(STRENGTHS[1:]), "default": "HIGH",
        "description": "The weakest inputStrength a PROMPT_ATTACK content filter may have (LOW, MEDIUM or HIGH).",
    },
)


def _prompt_attack_problem(item: Any, minimum: str) -> Any:
    """None when the filter item is a prompt-attack filter strong enough and acting; UNKNOWN when it cannot be told;
    else a phrase (for a prompt-attack filter that falls short) or False (another type of filter)."""
    if not isinstance(item, dict):
        return False
    kind = _upper(get(item, "type"))
    if is_unknown(kind):
        return kind
    if kind != "PROMPT_ATTACK":
        return False
    strength, action, enabled = (_upper(get(item, "inputStrength")), _upper(get(item, "inputAction")),
                                 as_bool(get(item, "inputEnabled")))
    if any(is_unknown(value) for value in (strength, action, enabled)):
        return strength if is_unknown(strength) else action if is_unknown(action) else enabled
    if enabled is False:
        return "its prompt-attack filter has inputEnabled false"
    if action == "NONE":
        return "its prompt-attack filter only detects (inputAction NONE)"
    if strength not in STRENGTHS or STRENGTHS.index(strength) < STRENGTHS.index(minimum):
        return f"its prompt-attack filter's inputStrength is {strength or 'not set'}, expected {minimum} or stronger"
    return None


def _prompt_attack(args: ResourceValidationArgs, report: ReportViolation) -> None:
    minimum = _upper(policy_config(args, PROMPT_ATTACK_SCHEMA)["minInputStrength"])
    minimum = minimum if minimum in STRENGTHS else "HIGH"
    filters = _items(get(args.props, "contentPolicyConfig"), _list_name(args, "filtersConfigs"))
    if is_unknown(filters):
        return
    results = [_prompt_attack_problem(item, minimum) for item in filters]
    if None in results or any(is_unknown(result) for result in results):
        return
    phrases = [result for result in results if isinstance(result, str)]
    why = "; ".join(phrases) if phrases else "contentPolicyConfig has no PROMPT_ATTACK filter"
    report(f"{describe(args)} does not block prompt attacks: {why}; jailbreaks and instructions injected through "
           "documents or tool output reach the model")


bedrock_guardrail_prompt_attack_filter = ResourceValidationPolicy(
    name="bedrock-guardrail-prompt-attack-filter",
    description="Bedrock guardrails have a PROMPT_ATTACK content filter that blocks (inputAction not NONE, "
                "inputEnabled not false) at inputStrength minInputStrength (HIGH) or stronger.",
    validate=applies_to(GUARDRAILS, _prompt_attack),
    config_schema=PROMPT_ATTACK_SCHEMA,
    severity=Severity.HIGH,
    remediation_steps="Add {'type': 'PROMPT_ATTACK', 'input_strength': 'HIGH', 'output_strength': 'NONE'} to "
                      "content_policy_config.filters_configs of the aws.bedrock.Guardrail, and publish a new "
                      "aws.bedrock.GuardrailVersion.",
    **frameworks({"nist-800-53": "SI-10, SI-3", "gdpr": "Art. 32(1)(b)"}),
)


# --- bedrock-guardrail-sensitive-information-filter --------------------------------------------------------------

SENSITIVE_SCHEMA = config_schema(
    requiredPiiEntityTypes={
        "type": "array", "items": {"type": "string"}, "default": [],
        "description": "PII entity types (botocore GuardrailPiiEntityType: EMAIL, PHONE, NAME, "
                       "US_SOCIAL_SECURITY_NUMBER, CREDIT_DEBIT_CARD_NUMBER, ...) each guardrail must block or "
                       "anonymize; empty (the default): at least one PII entity or regex filter that acts.",
    },
)


def _acts(item: dict) -> Any:
    """Whether a PII entity or regex filter blocks or anonymizes on at least one side; UNKNOWN if it cannot be told."""
    default = _upper(get(item, "action"))
    sides = []
    for side in ("input", "output"):
        enabled, action = as_bool(get(item, f"{side}Enabled")), _upper(get(item, f"{side}Action"))
        action = default if action is None else action
        if is_unknown(enabled) or is_unknown(action):
            sides.append(enabled if is_unknown(enabled) else action)
        else:
            sides.append(enabled is not False and action in ACTING)
    if True in sides:
        return True
    return next((side for side in sides if is_unknown(side)), False)


def _sensitive_information(args: ResourceValidationArgs, report: ReportViolation) -> None:
    required = [_upper(kind) for kind in as_list(policy_config(args, SENSITIVE_SCHEMA)["requiredPiiEntityTypes"])
                if isinstance(kind, str) and kind.strip()]
    policy = get(args.props, "sensitiveInformationPolicyConfig")
    entities = _items(policy, _list_name(args, "piiEntitiesConfigs"))
    regexes = _items(policy, _list_name(args, "regexesConfigs"))
    if is_unknown(entities) or is_unknown(regexes):
        return
    acting: set[str] = set()
    unknown = False
    for item, is_entity in [*((item, True) for item in entities), *((item, False) for item in regexes)]:
        if not isinstance(item, dict):
            continue
        result = _acts(item)
        kind = _upper(get(item, "type")) if is_entity else "regex"
        if is_unknown(result) or is_unknown(kind):
            unknown = True
        elif result is True and isinstance(kind, str):
            acting.add(kind)
    if unknown:
        return
    problem: Optional[str] = None
    if required:
        missing = [kind for kind in required if kind not in acting]
        if missing:
            problem = f"it does not block or anonymize {', '.join(missing)} (requiredPiiEntityTypes)"
    elif not acting:
        problem = ("its sensitiveInformationPolicyConfig has no PII entity or regex filter that blocks or anonymizes"
                   if entities or regexes else "it has no sensitiveInformationPolicyConfig")
    if problem:
        report(f"{describe(args)} does not filter personal data: {problem}; prompts and answers may carry it to "
               "and from the model, its logs and its users")


bedrock_guardrail_sensitive_information_filter = ResourceValidationPolicy(
    name="bedrock-guardrail-sensitive-information-filter",
    description="Bedrock guardrails block or anonymize personal data: a sensitive-information policy with a PII entity "
                "or regex filter that acts (BLOCK or ANONYMIZE on an enabled side), covering every "
                "requiredPiiEntityTypes entry.",
    validate=applies_to(GUARDRAILS, _sensitive_information),
    config_schema=SENSITIVE_SCHEMA,
    severity=Severity.MEDIUM,
    remediation_steps="Add sensitive_information_policy_config={'pii_entities_configs': [{'type': 'EMAIL', 'action': "
                      "'ANONYMIZE'}, {'type': 'US_SOCIAL_SECURITY_NUMBER', 'action': 'BLOCK'}, ...]} (and "
                      "regexes_configs for in-house identifiers) to the aws.bedrock.Guardrail, and publish a new "
                      "aws.bedrock.GuardrailVersion.",
    **frameworks({"gdpr": "Art. 25(1), Art. 32(1)(b)", "nist-800-53": "SI-15, PT-2", "hipaa": "164.312(a)(1)",
                  "pci-dss": "3.4.1"}),
)

SECURITY = [bedrock_guardrail_prompt_attack_filter]
PRIVACY = [bedrock_guardrail_sensitive_information_filter]
COMPLIANCE: list = []
