"""What a stack's CloudTrail trails record beyond management events, and who watches them: object-level
(data) events of the stack's S3 buckets (Trivy AVD-AWS-0171 write, AVD-AWS-0172 read), and the CIS AWS
Foundations metric filters and alarms on a trail's CloudWatch log group (Trivy AVD-AWS-0147-0160, 0174).

A trail logs management events only unless its selectors add data events (botocore cloudtrail
``EventSelector``: "trails created without specific event selectors will be configured to log all
read and write management events, and no data events"). A bucket's object reads and writes
(GetObject, PutObject, DeleteObject) are then invisible to an audit. Judged only where the stack
declares a trail or an event data store: a stack without one gets its audit trail from the account
or the organization, which this program cannot show.

Inputs are pulumi-aws 7's ``aws.cloudtrail.Trail`` ``eventSelectors`` (``readWriteType``, default
``All``; ``dataResources[]`` ``type`` ``AWS::S3::Object`` with ``values``: ``arn:aws:s3`` for every
bucket, ``arn:aws:s3:::<bucket>/`` for all objects of one; a longer prefix covers only some objects)
and ``advancedEventSelectors[].fieldSelectors[]`` (``field``, ``equals``, ``startsWiths``,
``notEquals``, ``notStartsWiths``, ``endsWiths``, ``notEndsWiths``), which ``aws.cloudtrail.EventDataStore``
has too (botocore cloudtrail ``DataResource``, ``AdvancedFieldSelector``). An advanced selector
logs S3 data events when ``eventCategory`` equals ``Data`` and ``resources.type`` equals
``AWS::S3::Object``; ``readOnly`` ``true``/``false`` narrows it to reads or writes; a selector that
names ``eventName``, ``eventSource`` or other fields logs only some events and is not counted. The
trail's own log bucket (``s3BucketName``) is not judged: logging its data events into itself is the
loop the CloudTrail User Guide warns against. Unknown selectors or values count as covering.
"""

from __future__ import annotations

from typing import Any, Optional

from pulumi_policy import PolicyResource, ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from policies.rules._declare import config_schema, examines, frameworks, policy_config
from policies.rules._index import of_type, stack_resources
from policies.rules._props import UNKNOWN, as_list, get, is_unknown

TRAIL = "aws:cloudtrail/trail:Trail"
EVENT_DATA_STORE = "aws:cloudtrail/eventDataStore:EventDataStore"
BUCKET_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
S3_OBJECT = "AWS::S3::Object"
ALL_BUCKETS = ("arn:aws:s3", "arn:aws:s3:::")
ACCESS = ("read", "write")
#: readWriteType -> the accesses it logs (botocore cloudtrail ReadWriteType: ReadOnly, WriteOnly, All).
_READ_WRITE = {"all": {"read", "write"}, "readonly": {"read"}, "writeonly": {"write"}}
#: Advanced selector fields that do not narrow which S3 object events are logged.
_FIELDS_JUDGED = {"eventcategory", "resources.type", "readonly", "resources.arn"}

DATA_EVENTS_SCHEMA = config_schema(
    requiredAccess={
        "type": "array", "items": {"type": "string", "enum": list(ACCESS)}, "default": list(ACCESS),
        "description": "Which object-level events of every bucket a trail of the stack must log: read (GetObject; "
                       "Trivy AVD-AWS-0172, CIS AWS 3.11) and write (PutObject, DeleteObject; AVD-AWS-0171, CIS 3.10).",
    },
)

# A coverage: (accesses, matcher) where matcher(bucket name or None) -> True / False / None (unknown).
Coverage = tuple[set[str], Any]


def _covers_value(value: Any, name: Optional[str]) -> Optional[bool]:
    if is_unknown(value):
        return None
    if not isinstance(value, str):
        return False
    if value in ALL_BUCKETS:
        return True
    if name is None:
        return None
    return value == f"arn:aws:s3:::{name}/" or value == f"arn:aws:s3:::{name}"


def _basic(selector: Any) -> list[Coverage]:
    if is_unknown(selector):
        return [(set(ACCESS), lambda name: None)]
    if not isinstance(selector, dict):
        return []
    kind = get(selector, "readWriteType")
    if is_unknown(kind):
        accesses = set(ACCESS)
    else:
        accesses = _READ_WRITE.get(str(kind or "All").lower(), set())
    found: list[Coverage] = []
    resources = as_list(get(selector, "dataResources"))
    if is_unknown(resources):
        return [(accesses, lambda name: None)]
    for resource in resources if isinstance(resources, list) else []:
        if not isinstance(resource, dict):
            continue
        type_ = get(resource, "type")
        if not is_unknown(type_) and type_ != S3_OBJECT:
            continue
        values = as_list(get(resource, "values"))
        if is_unknown(type_) or is_unknown(values):
            found.append((accesses, lambda name: None))
            continue
        items = values if isinstance(values, list) else []
        found.append((accesses, lambda name, items=items: _any(_covers_value(v, name) for v in items)))
    return found


def _any(results: Any) -> Optional[bool]:
    unknown = False
    for result in results:
        if result is True:
            return True
        unknown = unknown or result is None
    return None if unknown else False


def _strings(value: Any) -> Any:
    items = as_list(value)
    if is_unknown(items) or (isinstance(items, list) and any(is_unknown(item) for item in items)):
        return None
    return [item for item in items if isinstance(item, str)] if isinstance(items, list) else []


def _arn_matcher(selectors: list[dict[str, Any]]) -> Any:
    """A matcher for the ``resources.ARN`` field selectors (none: every bucket)."""

    def matches(name: Optional[str]) -> Optional[bool]:
        for field_selector in selectors:
            ops = {op: _strings(get(field_selector, op)) for op in
                   ("equals", "startsWiths", "endsWiths", "notEquals", "notStartsWiths", "notEndsWiths")}
            if any(values is None for values in ops.values()):
                return None
            if name is None:
                return None
            arn = f"arn:aws:s3:::{name}/"
            if ops["equals"] and arn not in ops["equals"]:
                return False
            if ops["startsWiths"] and not any(arn.startswith(prefix) for prefix in ops["startsWiths"]):
                return False
            if ops["endsWiths"]:
                return False  # an object-key suffix logs only some objects
            if arn in ops["notEquals"] or any(arn.startswith(p) for p in ops["notStartsWiths"]):
                return False
            if ops["notEndsWiths"]:
                return False  # some objects of every bucket are left out
        return True

    return matches


def _advanced(selector: Any) -> list[Coverage]:
    if is_unknown(selector):
        return [(set(ACCESS), lambda name: None)]
    fields = as_list(get(selector, "fieldSelectors")) if isinstance(selector, dict) else []
    if is_unknown(fields):
        return [(set(ACCESS), lambda name: None)]
    by_field: dict[str, list[dict[str, Any]]] = {}
    for field_selector in fields if isinstance(fields, list) else []:
        if not isinstance(field_selector, dict):
            continue
        name = get(field_selector, "field")
        if is_unknown(name):
            return [(set(ACCESS), lambda bucket: None)]
        if isinstance(name, str):
            by_field.setdefault(name.lower(), []).append(field_selector)
    if any(field not in _FIELDS_JUDGED for field in by_field):
        return []  # names events, sources or users: logs only some object events

    def equals(field: str) -> Any:
        values: list[str] = []
        for field_selector in by_field.get(field, []):
            found = _strings(get(field_selector, "equals"))
            if found is None:
                return None
            values += found
        return values

    category, types, read_only = equals("eventcategory"), equals("resources.type"), equals("readonly")
    if category is None or types is None or read_only is None:
        return [(set(ACCESS), lambda name: None)]
    if "Data" not in category or S3_OBJECT not in types:
        return []
    accesses = set(ACCESS)
    if read_only:
        accesses = {("read" if value.lower() == "true" else "write") for value in read_only}
    return [(accesses, _arn_matcher(by_field.get("resources.arn", [])))]


def _coverages(source: PolicyResource) -> list[Coverage]:
    found: list[Coverage] = []
    if source.resource_type == TRAIL:
        basic = as_list(get(source.props, "eventSelectors"))
        if is_unknown(basic):
            return [(set(ACCESS), lambda name: None)]
        for selector in basic if isinstance(basic, list) else []:
            found += _basic(selector)
    advanced = as_list(get(source.props, "advancedEventSelectors"))
    if is_unknown(advanced):
        return [(set(ACCESS), lambda name: None)]
    for selector in advanced if isinstance(advanced, list) else []:
        found += _advanced(selector)
    return found


def _bucket_name(bucket: PolicyResource) -> Optional[str]:
    name = get(bucket.props, "bucket")
    return name if isinstance(name, str) and name and not is_unknown(name) else None


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    resources = stack_resources(args)
    sources = of_type(resources, TRAIL, EVENT_DATA_STORE)
    if not sources:
        return
    configured = policy_config(args, DATA_EVENTS_SCHEMA)["requiredAccess"]
    required = {access for access in configured if access in ACCESS} if isinstance(configured, list) else set(ACCESS)
    coverages = [coverage for source in sources for coverage in _coverages(source)]
    log_buckets = {name for trail in of_type(resources, TRAIL)
                   if isinstance(name := get(trail.props, "s3BucketName"), str) and not is_unknown(name)}
    log_bucket_urns = {getattr(dependency, "urn", dependency) for trail in of_type(resources, TRAIL)
                       for dependency in (trail.property_dependencies or {}).get("s3BucketName") or []}
    for bucket in of_type(resources, *BUCKET_TYPES):
        name = _bucket_name(bucket)
        if bucket.urn in log_bucket_urns or (name is not None and name in log_buckets):
            continue
        missing = []
        for access in sorted(required):
            results = [matcher(name) for accesses, matcher in coverages if access in accesses]
            if _any(results) is False:
                missing.append(access)
        if missing:
            label = name or bucket.name
            report_violation(f"No CloudTrail trail or event data store of the stack logs the object-level "
                             f"{' and '.join(missing)} events (S3 data events) of bucket {label!r}.", bucket.urn)


cloudtrail_s3_data_events = StackValidationPolicy(
    name="cloudtrail-s3-data-events",
    description="Where a stack declares CloudTrail trails, they log the object-level (data) read and write events of "
                "every bucket of the stack.",
    validate=examines((TRAIL, EVENT_DATA_STORE) + BUCKET_TYPES, _validate),
    config_schema=DATA_EVENTS_SCHEMA,
    severity=Severity.LOW,
    remediation_steps="Give the trail an event selector that logs S3 data events, e.g. event_selectors=[{"
                      "'read_write_type': 'All', 'include_management_events': True, 'data_resources': [{'type': "
                      "'AWS::S3::Object', 'values': ['arn:aws:s3']}]}] (every bucket; or "
                      "f'arn:aws:s3:::{bucket.bucket}/' per bucket), or an advanced event selector with "
                      "eventCategory Data and resources.type AWS::S3::Object.",
    **frameworks({"cis-aws": "3.10, 3.11", "nist-800-53": "AU-2, AU-12", "pci-dss": "10.2.1",
                  "hipaa": "164.312(b)"}),
)

# --------------------------------------------------------------------------------------------------
# CIS AWS Foundations 4.x (v1.4-3.0 section 4 / 3.x before): metric filters on the trail's log group and alarms
# on them for the security events (Trivy AVD-AWS-0147 to 0160 and 0174).

METRIC_FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def _events(*names: str, source: str = "") -> tuple[str, ...]:
    terms = tuple(f"$.eventname={name.lower()}" for name in names)
    return ((f"$.eventsource={source}",) if source else ()) + terms


#: monitor -> (CIS control, Trivy id, the terms its filter pattern must hold). A pattern holds a term when,
#: with whitespace and quotes removed and letters lowered, it contains it: the CIS benchmark's patterns
#: (CIS AWS Foundations Benchmark 3.0.0, 4.1-4.15), in any order or grouping.
MONITORS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "unauthorized-api-calls": ("4.1", "AVD-AWS-0147", ("$.errorcode=*unauthorizedoperation",
                                                       "$.errorcode=accessdenied*")),
    "console-sign-in-without-mfa": ("4.2", "AVD-AWS-0148", ("$.eventname=consolelogin",
                                                            "$.additionaleventdata.mfaused!=yes")),
    "root-usage": ("4.3", "AVD-AWS-0149", ("$.useridentity.type=root", "$.useridentity.invokedbynotexists",
                                           "$.eventtype!=awsserviceevent")),
    "iam-policy-changes": ("4.4", "AVD-AWS-0150", _events(
        "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy",
        "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion",
        "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy",
        "DetachGroupPolicy")),
    "cloudtrail-changes": ("4.5", "AVD-AWS-0151", _events(
        "CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging")),
    "console-authentication-failures": ("4.6", "AVD-AWS-0152", ("$.eventname=consolelogin",
                                                                "$.errormessage=failedauthentication")),
    "cmk-disabled-or-deleted": ("4.7", "AVD-AWS-0153", _events(
        "DisableKey", "ScheduleKeyDeletion", source="kms.amazonaws.com")),
    "s3-bucket-policy-changes": ("4.8", "AVD-AWS-0154", _events(
        "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
        "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication",
        source="s3.amazonaws.com")),
    "config-changes": ("4.9", "AVD-AWS-0155", _events(
        "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder",
        source="config.amazonaws.com")),
    "security-group-changes": ("4.10", "AVD-AWS-0156", _events(
        "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
        "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup")),
    "nacl-changes": ("4.11", "AVD-AWS-0157", _events(
        "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
        "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation")),
    "network-gateway-changes": ("4.12", "AVD-AWS-0158", _events(
        "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway",
        "DeleteInternetGateway", "DetachInternetGateway")),
    "route-table-changes": ("4.13", "AVD-AWS-0159", _events(
        "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable",
        "DeleteRoute", "DisassociateRouteTable")),
    "vpc-changes": ("4.14", "AVD-AWS-0160", _events(
        "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection",
        "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection")),
    "organizations-changes": ("4.15", "AVD-AWS-0174", ("$.eventsource=organizations.amazonaws.com",)),
}

ALARMS_SCHEMA = config_schema(
    requiredMonitors={
        "type": "array", "items": {"type": "string", "enum": sorted(MONITORS)}, "default": sorted(MONITORS),
        "description": "The CIS AWS Foundations 4.x monitors a trail's log group must have (a metric filter and an "
                       "alarm on its metric); [] turns the rule off.",
    },
)


def normal_pattern(pattern: str) -> str:
    """A filter pattern with whitespace and quotes removed, lower case: ``{ ($.eventName = "StopLogging") }`` ->
    ``{($.eventname=stoplogging)}``."""
    return "".join(character for character in pattern.lower() if not character.isspace() and character not in "\"'")


def _log_group_name(arn: Any) -> Optional[str]:
    """``NAME`` of ``arn:aws:logs:<region>:<account>:log-group:NAME[:*]``; None if it is not such an ARN."""
    if not isinstance(arn, str) or is_unknown(arn) or ":log-group:" not in arn:
        return None
    name = arn.split(":log-group:", 1)[1]
    return name[:-2] if name.endswith(":*") else name


def _dependencies(resource: PolicyResource, key: str) -> set[str]:
    return {getattr(d, "urn", d) for d in (resource.property_dependencies or {}).get(key) or []}


class _Alarms:
    """The stack's metric alarms by the metric they watch (name, namespace) and by the filters their metricName
    depends on: built once per review of the stack."""

    def __init__(self, alarms: list[PolicyResource]) -> None:
        self.by_filter: set[str] = set()
        self.by_metric: dict[str, set[Any]] = {}
        self.unknown = False
        for alarm in alarms:
            self.by_filter |= _dependencies(alarm, "metricName")
            name, space = get(alarm.props, "metricName"), get(alarm.props, "namespace")
            if is_unknown(name) or is_unknown(space):
                self.unknown = True
            elif isinstance(name, str):
                self.by_metric.setdefault(name, set()).add(space if isinstance(space, str) else None)

    def watch(self, metric_filter: PolicyResource) -> Optional[bool]:
        """True if an alarm watches the filter's metric, False if none does, None if that is not known yet."""
        if metric_filter.urn in self.by_filter:
            return True
        transformation = get(metric_filter.props, "metricTransformation")
        if isinstance(transformation, list):
            transformation = transformation[0] if len(transformation) == 1 else None
        metric = get(transformation, "name") if isinstance(transformation, dict) else None
        namespace = get(transformation, "namespace") if isinstance(transformation, dict) else None
        if is_unknown(transformation) or is_unknown(metric) or is_unknown(namespace):
            return None
        spaces = self.by_metric.get(metric, set()) if isinstance(metric, str) else set()
        if spaces and (not isinstance(namespace, str) or namespace in spaces):
            return True
        return None if self.unknown else False


def _validate_alarms(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    resources = stack_resources(args)
    trails = of_type(resources, TRAIL)
    if not trails:
        return
    configured = policy_config(args, ALARMS_SCHEMA)["requiredMonitors"]
    required = [name for name in configured if name in MONITORS] if isinstance(configured, list) else sorted(MONITORS)
    filters = []  # (filter, its log group name, the URNs its logGroupName depends on, its pattern normalized)
    for metric_filter in of_type(resources, METRIC_FILTER):
        name, urns = get(metric_filter.props, "logGroupName"), _dependencies(metric_filter, "logGroupName")
        if is_unknown(name) and not urns:
            return  # a filter whose log group is not known yet may be any trail's: not judged
        pattern = get(metric_filter.props, "pattern")
        normal = UNKNOWN if is_unknown(pattern) else normal_pattern(pattern) if isinstance(pattern, str) else ""
        filters.append((metric_filter, name, urns, normal))
    alarms = _Alarms(of_type(resources, METRIC_ALARM))
    for trail in trails:
        arn = get(trail.props, "cloudWatchLogsGroupArn")
        group_name, group_urns = _log_group_name(arn), _dependencies(trail, "cloudWatchLogsGroupArn")
        if not isinstance(arn, str) or not arn or (group_name is None and not group_urns):
            continue  # no CloudWatch Logs delivery (cloudtrail-cloudwatch-logs' finding) or not known yet
        on_group = [(metric_filter, normal) for metric_filter, name, urns, normal in filters
                    if (group_name is not None and name == group_name) or group_urns & urns]
        missing = [monitor for monitor in required if _monitored(MONITORS[monitor][2], on_group, alarms) is False]
        if missing:
            report_violation(f"CloudTrail trail {trail.name!r} has no metric filter with an alarm on its log group for: "
                             f"{', '.join(missing)} (CIS AWS Foundations 4.x).", trail.urn)


def _monitored(terms: tuple[str, ...], filters: list[tuple[PolicyResource, Any]], alarms: _Alarms) -> Optional[bool]:
    """True if a filter's pattern holds every term and an alarm watches its metric; None if unknown."""
    unknown = False
    for metric_filter, normal in filters:
        if is_unknown(normal):
            unknown = True
            continue
        if not all(term in normal for term in terms):
            continue
        watched = alarms.watch(metric_filter)
        if watched is True:
            return True
        unknown = unknown or watched is None
    return None if unknown else False


cloudtrail_security_alarms = StackValidationPolicy(
    name="cloudtrail-security-alarms",
    description="Trails that deliver to CloudWatch Logs have the CIS AWS Foundations metric filters and alarms on "
                "their log group (unauthorized calls, root use, IAM, CloudTrail, KMS, S3, Config, network changes...).",
    validate=examines((TRAIL, METRIC_FILTER, METRIC_ALARM), _validate_alarms),
    config_schema=ALARMS_SCHEMA,
    severity=Severity.LOW,
    remediation_steps="For each monitor, add an aws.cloudwatch.LogMetricFilter on the trail's log group with the CIS "
                      "pattern (e.g. root-usage: '{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT "
                      "EXISTS && $.eventType != \"AwsServiceEvent\" }') and a metric_transformation, and an "
                      "aws.cloudwatch.MetricAlarm on that metric name and namespace whose alarm_actions notify the "
                      "security team (an SNS topic); or list only the monitors this account owns in requiredMonitors.",
    **frameworks({"cis-aws": "4.1-4.15", "nist-800-53": "AU-6, SI-4", "pci-dss": "10.4.1", "hipaa": "164.308(a)(1)(ii)(D)"}),
)


SECURITY: list = []
PRIVACY: list = []
COMPLIANCE = [cloudtrail_s3_data_events, cloudtrail_security_alarms]
