"""The data-store table: the stateful AWS types (pulumi-aws 7 type tokens) and where each keeps the
settings the data-store rules judge.

One row per type. A row names, as input paths in a plan (camelCase, the way ``pulumi stack export``
and the engine write them), the settings for these controls:

- ``encryption``: settings that must hold for the data to be encrypted at rest; empty when the
  service always encrypts (DynamoDB, MSK, Secrets Manager, FSx, ...).
- ``cmk``: settings that must hold for a customer-managed key to be used (a mode or key type), and
  ``keys``: the inputs that must then name a customer-managed KMS key (not absent, which means the
  AWS-managed or AWS-owned key, nor an ``alias/aws/...`` key). Both empty when the service offers no
  key choice.
- ``private``: settings that must hold for the store not to be reachable from the internet.
- ``in_transit``: settings that must hold for TLS in transit, where the service has one on the resource.
- ``deletion_protection``: settings that must hold for the store to survive an accidental delete.
- ``backup``: a setting for automated backups (a boolean that must hold) or ``backup_days``, the
  input holding the automated-backup retention in days.
- ``logging``: settings that must hold for the store to publish its logs (audit, slow query,
  broker, error logs).
- ``patching``: settings that must hold for engine patches (minor versions) to be applied in the
  maintenance window; an absent input is the provider default, true for every row here.
- ``iam_auth``: settings that must hold for database users to sign in with IAM credentials (short-lived
  tokens) instead of only passwords.

A path step ``"*"`` means each item of the block at that point: every element of a list, the block
itself when it is one object, nothing when it is absent (so a setting inside an optional block, such
as a launch mapping's ``ebs``, is judged only where the block is written). A step ``"**"`` means each
value of the object at that point (MSK's broker log destinations, one key each). A setting's ``when`` limits
it to resources whose input at a path has one of some values (an engine that has the feature).

``holds_data`` rows are data stores (classification, protection); the others are account or
service settings that protect data elsewhere (default EBS encryption, a Glue security
configuration, a CloudTrail trail). ``stateful`` rows lose data when replaced or deleted, so they
must be protected in prod; SNS topics and SQS queues pass messages on and are not.

Property names, defaults and valid values are the pulumi-aws 7 Python SDK's (its
``pulumi_aws/<service>/<resource>.py`` and ``_inputs.py`` docstrings, generated from the Terraform
AWS provider's schema); ``tests/test_catalog_data_stores.py`` checks every type token and input name
against the installed SDK. Adding a type is one row.

Types whose encryption another rule module already judges (S3 buckets, SNS topics, SQS queues, ECR
repositories, KMS keys, SageMaker feature groups and domains) are rows without encryption settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Union

Path = tuple[Union[str, int], ...]


@dataclass(frozen=True)
class Setting:
    """One input and the values that satisfy a control.

    ``ok``: the values that satisfy it (strings compare case-insensitively, ``"true"``/``"false"``
    strings as booleans); ``bad``: the values that break it (anything else satisfies it); with
    ``present``, any non-empty value satisfies it. ``default`` is what AWS does when the input is
    absent; ``default_by`` picks it by another input's value (``(path, {value: default})``).
    ``note`` says, in a violation message, what breaking it means.
    """

    path: Path
    ok: tuple[Any, ...] = ()
    bad: tuple[Any, ...] = ()
    present: bool = False
    default: Any = None
    default_by: Optional[tuple[Path, dict[str, Any]]] = None
    note: str = ""
    #: Values a list input must include (e.g. the ``audit`` log export); absent counts as an empty list. With a
    #: ``"*"`` path, the values of every item together (the ``logType`` of each log publishing option).
    includes: tuple[Any, ...] = ()
    #: ``(path, values)``: judged only when the input at ``path`` is one of ``values`` (lower case); an absent
    #: or unknown input is not judged. ``(path, values, default)``: an absent input is ``default`` (the provider's).
    when: Optional[tuple[Any, ...]] = None

    @property
    def name(self) -> str:
        """The input's dotted path, as a program's author sees it (``encryptAtRest.enabled``; each item of a block
        as ``[*]``: ``logPublishingOptions[*].logType``; each value of an object as ``.*``)."""
        shown = ("[*]" if step == "*" else ".*" if step == "**" else f".{step}" for step in self.path)
        return "".join(shown).lstrip(".")


@dataclass(frozen=True)
class Days:
    """An input holding a number of days, and what AWS uses when it is absent."""

    path: Path
    default: int = 0
    #: As ``Setting.when``: judged only for these values of another input (an engine with backups).
    when: Optional[tuple[Path, tuple[str, ...]]] = None

    @property
    def name(self) -> str:
        return ".".join(str(step) for step in self.path)


@dataclass(frozen=True)
class DataStore:
    """One stateful AWS type and where it keeps its protection settings (see the module docstring)."""

    type: str
    label: str
    holds_data: bool = True
    stateful: bool = True
    encryption: tuple[Setting, ...] = ()
    cmk: tuple[Setting, ...] = ()
    keys: tuple[Path, ...] = ()
    private: tuple[Setting, ...] = ()
    in_transit: tuple[Setting, ...] = ()
    deletion_protection: tuple[Setting, ...] = ()
    backup: tuple[Setting, ...] = ()
    backup_days: Optional[Days] = None
    #: Settings that must hold for the store to write its audit, query or error logs somewhere.
    logging: tuple[Setting, ...] = ()
    #: Settings that must hold for the engine's minor versions (security patches) to be applied automatically.
    patching: tuple[Setting, ...] = ()
    #: Settings that must hold for database users to authenticate with IAM.
    iam_auth: tuple[Setting, ...] = ()
    #: ``(setting, key path)``: keys that must name a customer-managed key only while the setting holds
    #: (Performance Insights' key, when Performance Insights is on).
    keys_when: tuple[tuple[Setting, Path], ...] = ()
    #: Reached through a VPC (an endpoint in subnets): code that talks to it runs in the VPC.
    in_vpc: bool = False
    #: Inputs whose presence makes the encryption and key settings not apply (e.g. a Firehose
    #: stream reading from Kinesis is encrypted by its source stream).
    encryption_not_applicable_with: tuple[Path, ...] = ()


TRUE = (True,)
FALSE = (False,)


def _enabled(*path: Union[str, int], default: Any = False, note: str = "",
             when: Optional[tuple[Path, tuple[str, ...]]] = None) -> Setting:
    return Setting(tuple(path), ok=TRUE, default=default, note=note, when=when)


def _disabled(*path: Union[str, int], default: Any = False, note: str = "") -> Setting:
    return Setting(tuple(path), ok=FALSE, default=default, note=note)


_GLUE = ("dataCatalogEncryptionSettings",)
_GLUE_SC = ("encryptionConfiguration",)
_ATHENA = ("configuration", "resultConfiguration", "encryptionConfiguration")
#: Athena workgroups whose results go to the team's bucket: managed query results off (the default).
_ATHENA_BUCKET_RESULTS = (("configuration", "managedQueryResultsConfiguration", "enabled"), ("false",), "false")
_OLD_TLS = ("Policy-Min-TLS-1-0-2019-07",)
_IAM_AUTH_ENGINES = (("engine",), ("mariadb", "mysql", "postgres"))
#: Performance Insights data (query texts) is encrypted with aws/rds unless a key is named (botocore rds
#: CreateDBInstanceMessage.PerformanceInsightsKMSKeyId). Checkov CKV_AWS_354.
_PERFORMANCE_INSIGHTS_KEY = ((_enabled("performanceInsightsEnabled"), ("performanceInsightsKmsKeyId",)),)
#: DLM cross-region copies: event-based (action) and scheduled (schedules) copy rules.
_DLM_EVENT_COPY = ("policyDetails", "action", "crossRegionCopies", "*", "encryptionConfiguration")
_DLM_SCHEDULE_COPY = ("policyDetails", "schedules", "*", "crossRegionCopyRules", "*")
#: MSK publishes broker logs to each destination of ``loggingInfo.brokerLogs`` (CloudWatch Logs, Firehose,
#: S3) whose ``enabled`` is true; each destination's ``enabled`` is required (AWS MSK API reference,
#: BrokerLogs; pulumi-aws ``ClusterLoggingInfoBrokerLogs*Args``), so a block with every one false, or
#: none, publishes nothing (Checkov CKV_AWS_80 reads it the same way).
_BROKER_LOGS = Setting(("loggingInfo", "brokerLogs", "**", "enabled"), includes=(True,),
                       note="no broker logs are published")
#: OpenSearch and its predecessor, Elasticsearch Service: the same domain settings.
_SEARCH_DOMAIN = dict(
    in_vpc=True,
    encryption=(_enabled("encryptAtRest", "enabled"),), keys=(("encryptAtRest", "kmsKeyId"),),
    private=(Setting(("vpcOptions", "subnetIds"), present=True,
                     note="the domain has a public endpoint (no vpcOptions)"),),
    in_transit=(_enabled("nodeToNodeEncryption", "enabled"),
                _enabled("domainEndpointOptions", "enforceHttps", default=True),
                Setting(("domainEndpointOptions", "tlsSecurityPolicy"), bad=_OLD_TLS,
                        note="TLS 1.0 and 1.1 are allowed")),
    logging=(Setting(("logPublishingOptions",), present=True, note="no logs are published"),
             # The audit log (who read and changed what; it needs fine-grained access control). Checkov CKV_AWS_317.
             Setting(("logPublishingOptions", "*", "logType"), includes=("AUDIT_LOGS",),
                     note="no audit log is published")),
)

DATA_STORES: tuple[DataStore, ...] = (
    # --- databases -------------------------------------------------------------------------------
    DataStore(
        "aws:rds/instance:Instance", "RDS DB instance", in_vpc=True,
        encryption=(_enabled("storageEncrypted"),), keys=(("kmsKeyId",),),
        private=(_disabled("publiclyAccessible", note="the instance gets a public DNS name and address"),),
        deletion_protection=(_enabled("deletionProtection"),),
        backup_days=Days(("backupRetentionPeriod",), 0),
        logging=(Setting(("enabledCloudwatchLogsExports",), present=True, note="no logs are published"),),
        patching=(_enabled("autoMinorVersionUpgrade", default=True),),
        # IAM authentication exists for MariaDB, MySQL and PostgreSQL instances; an Aurora instance's is the
        # cluster's (botocore rds CreateDBInstanceMessage.EnableIAMDatabaseAuthentication). Checkov CKV_AWS_161.
        iam_auth=(_enabled("iamDatabaseAuthenticationEnabled", when=_IAM_AUTH_ENGINES),),
        keys_when=_PERFORMANCE_INSIGHTS_KEY,
    ),
    DataStore(
        "aws:rds/cluster:Cluster", "RDS/Aurora DB cluster", in_vpc=True,
        encryption=(_enabled("storageEncrypted"),), keys=(("kmsKeyId",),),
        private=(_disabled("publiclyAccessible", note="the cluster gets a public DNS name and address"),),
        deletion_protection=(_enabled("deletionProtection"),),
        backup_days=Days(("backupRetentionPeriod",), 1),
        logging=(Setting(("enabledCloudwatchLogsExports",), present=True, note="no logs are published"),
                 # MySQL-compatible clusters publish the audit log only when it is exported. Checkov CKV_AWS_325.
                 Setting(("enabledCloudwatchLogsExports",), includes=("audit",),
                         when=(("engine",), ("aurora", "aurora-mysql", "mysql")), note="no audit log is published")),
        iam_auth=(_enabled("iamDatabaseAuthenticationEnabled"),),  # every cluster engine has it. CKV_AWS_162
        keys_when=_PERFORMANCE_INSIGHTS_KEY,
    ),
    DataStore(
        "aws:rds/clusterInstance:ClusterInstance", "Aurora cluster instance", in_vpc=True,
        private=(_disabled("publiclyAccessible", note="the instance gets a public DNS name and address"),),
        patching=(_enabled("autoMinorVersionUpgrade", default=True),),
        keys_when=_PERFORMANCE_INSIGHTS_KEY,
        stateful=False,  # its storage is the cluster's
        holds_data=False,
    ),
    DataStore(
        "aws:docdb/cluster:Cluster", "DocumentDB cluster", in_vpc=True,
        encryption=(_enabled("storageEncrypted"),), keys=(("kmsKeyId",),),
        deletion_protection=(_enabled("deletionProtection"),),
        backup_days=Days(("backupRetentionPeriod",), 1),
        logging=(Setting(("enabledCloudwatchLogsExports",), present=True, note="no logs are published"),),
    ),
    DataStore(
        "aws:neptune/cluster:Cluster", "Neptune cluster", in_vpc=True,
        encryption=(_enabled("storageEncrypted"),), keys=(("kmsKeyArn",),),
        deletion_protection=(_enabled("deletionProtection"),),
        backup_days=Days(("backupRetentionPeriod",), 1),
        logging=(Setting(("enableCloudwatchLogsExports",), present=True, note="no logs are published"),),
        iam_auth=(_enabled("iamDatabaseAuthenticationEnabled"),),  # Checkov CKV_AWS_359
    ),
    DataStore(
        # Neptune has public endpoints since 2024 (botocore neptune CreateDBInstanceMessage.PubliclyAccessible;
        # the provider's default is false). Checkov CKV_AWS_102.
        "aws:neptune/clusterInstance:ClusterInstance", "Neptune cluster instance", in_vpc=True,
        private=(_disabled("publiclyAccessible", note="the instance gets a public DNS name and address"),),
        patching=(_enabled("autoMinorVersionUpgrade", default=True),),
        stateful=False,  # its storage is the cluster's
        holds_data=False,
    ),
    DataStore(
        "aws:dynamodb/table:Table", "DynamoDB table",
        # Always encrypted at rest; without serverSideEncryption.enabled the key is AWS-owned.
        cmk=(_enabled("serverSideEncryption", "enabled"),), keys=(("serverSideEncryption", "kmsKeyArn"),),
        deletion_protection=(_enabled("deletionProtectionEnabled"),),
        backup=(_enabled("pointInTimeRecovery", "enabled", note="no point-in-time recovery"),),
    ),
    DataStore(
        "aws:redshift/cluster:Cluster", "Redshift cluster", in_vpc=True,
        # New clusters are encrypted by default since 2025 (AWS-owned key); the key input decides CMK.
        encryption=(_enabled("encrypted", default=True),), keys=(("kmsKeyId",),),
        private=(_disabled("publiclyAccessible", note="the cluster can be reached from a public network"),),
        backup_days=Days(("automatedSnapshotRetentionPeriod",), 1),
        patching=(_enabled("allowVersionUpgrade", default=True, note="engine upgrades are never applied"),),
    ),
    DataStore(
        "aws:redshiftserverless/namespace:Namespace", "Redshift Serverless namespace",
        keys=(("kmsKeyId",),),
        # logExports: "The types of logs the namespace can export ... userlog, connectionlog, and useractivitylog"
        # (botocore redshift-serverless CreateNamespaceRequest); absent, none. Checkov CKV_AWS_71 for clusters.
        logging=(Setting(("logExports",), present=True, note="no audit logs are exported"),),
    ),
    DataStore(
        "aws:redshiftserverless/workgroup:Workgroup", "Redshift Serverless workgroup", in_vpc=True,
        holds_data=False, stateful=False,
        private=(_disabled("publiclyAccessible", note="the workgroup can be reached from a public network"),),
    ),
    DataStore("aws:opensearch/domain:Domain", "OpenSearch domain", **_SEARCH_DOMAIN),
    DataStore("aws:elasticsearch/domain:Domain", "Elasticsearch domain", **_SEARCH_DOMAIN),
    DataStore(
        "aws:dax/cluster:Cluster", "DynamoDB Accelerator (DAX) cluster", in_vpc=True,
        encryption=(_enabled("serverSideEncryption", "enabled"),),
        in_transit=(Setting(("clusterEndpointEncryptionType",), ok=("TLS",), default="NONE"),),
    ),
    DataStore(
        "aws:elasticache/replicationGroup:ReplicationGroup", "ElastiCache replication group", in_vpc=True,
        encryption=(Setting(("atRestEncryptionEnabled",), ok=TRUE, default=False,
                            default_by=(("engine",), {"valkey": True})),),
        keys=(("kmsKeyId",),),
        in_transit=(Setting(("transitEncryptionEnabled",), ok=TRUE, default=False),
                    Setting(("transitEncryptionMode",), bad=("preferred",), note="clients may still connect "
                            "without TLS")),
        backup_days=Days(("snapshotRetentionLimit",), 0),
        logging=(Setting(("logDeliveryConfigurations",), present=True, note="no logs are published"),),
        patching=(_enabled("autoMinorVersionUpgrade", default=True),),  # redis/valkey 6+; AWS sets true
    ),
    DataStore(
        # A single-node cluster (or a replication group's member, whose engine is the group's): Redis and Valkey
        # keep snapshots, Memcached has none. Checkov CKV_AWS_134.
        "aws:elasticache/cluster:Cluster", "ElastiCache cluster", in_vpc=True,
        stateful=False,  # a cache node: its contents are rebuilt from their source (a replication group is stateful)
        # Memcached 1.6.12+ in a VPC takes TLS on the cluster itself (pulumi-aws 7 elasticache.Cluster
        # transit_encryption_enabled: "Supported only with Memcached versions 1.6.12 and later, running in a VPC");
        # a Redis or Valkey node's TLS is its replication group's (judged on that row).
        in_transit=(Setting(("transitEncryptionEnabled",), ok=TRUE, default=False, when=(("engine",), ("memcached",))),),
        backup_days=Days(("snapshotRetentionLimit",), 0, when=(("engine",), ("redis", "valkey"))),
    ),
    DataStore(
        "aws:elasticache/serverlessCache:ServerlessCache", "ElastiCache Serverless cache", in_vpc=True,
        keys=(("kmsKeyId",),),  # always encrypted at rest and in transit
        backup_days=Days(("snapshotRetentionLimit",), 0),
    ),
    DataStore(
        "aws:memorydb/cluster:Cluster", "MemoryDB cluster", in_vpc=True,
        keys=(("kmsKeyArn",),),  # always encrypted at rest
        in_transit=(_enabled("tlsEnabled", default=True),),
        backup_days=Days(("snapshotRetentionLimit",), 0),
    ),
    # --- streams ---------------------------------------------------------------------------------
    DataStore(
        "aws:msk/cluster:Cluster", "MSK cluster", in_vpc=True,
        keys=(("encryptionInfo", "encryptionAtRestKmsKeyArn"),),  # always encrypted at rest
        private=(Setting(("brokerNodeGroupInfo", "connectivityInfo", "publicAccess", "type"), ok=("DISABLED",),
                         default="DISABLED", note="brokers are reachable from the internet"),),
        in_transit=(Setting(("encryptionInfo", "encryptionInTransit", "clientBroker"), ok=("TLS",), default="TLS"),
                    _enabled("encryptionInfo", "encryptionInTransit", "inCluster", default=True)),
        logging=(_BROKER_LOGS,),
    ),
    DataStore(
        # Always encrypted with an AWS-managed key, VPC-only, IAM-authenticated TLS: no settings to judge.
        "aws:msk/serverlessCluster:ServerlessCluster", "MSK Serverless cluster", in_vpc=True,
    ),
    DataStore(
        # Amazon MQ (botocore mq CreateBrokerRequest): PubliclyAccessible "set to false by default";
        # encryptionOptions.useAwsOwnedKey defaults to true (an AWS-owned key; false without kmsKeyId is the
        # AWS-managed aws/mq key); logs.general defaults to false (pulumi-aws mq/_inputs.py). Checkov CKV_AWS_69,
        # CKV_AWS_209, CKV_AWS_48 (audit logs exist only for ActiveMQ, so the row asks for general logs).
        "aws:mq/broker:Broker", "Amazon MQ broker", in_vpc=True, stateful=False,  # passes messages on, as SQS
        private=(_disabled("publiclyAccessible", note="the broker gets a public endpoint"),),
        cmk=(Setting(("encryptionOptions", "useAwsOwnedKey"), ok=FALSE, default=True),),
        keys=(("encryptionOptions", "kmsKeyId"),),
        logging=(_enabled("logs", "general", note="no broker logs are published"),
                 # ActiveMQ also keeps an audit log (RabbitMQ has none). Checkov CKV_AWS_197.
                 _enabled("logs", "audit", when=(("engineType",), ("activemq",)), note="no audit log is published")),
        # Only an explicit false is judged: recent engines (ActiveMQ 5.18, RabbitMQ 3.13) are patched by AWS.
        patching=(_enabled("autoMinorVersionUpgrade", default=True),),
    ),
    DataStore(
        "aws:kinesis/stream:Stream", "Kinesis data stream",
        encryption=(Setting(("encryptionType",), ok=("KMS",), default="NONE"),), keys=(("kmsKeyId",),),
    ),
    DataStore(
        "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "Kinesis Data Firehose stream",
        holds_data=False, stateful=False,  # delivers to a store; buffers for minutes
        encryption=(_enabled("serverSideEncryption", "enabled"),),
        cmk=(Setting(("serverSideEncryption", "keyType"), ok=("CUSTOMER_MANAGED_CMK",), default="AWS_OWNED_CMK"),),
        keys=(("serverSideEncryption", "keyArn"),),
        encryption_not_applicable_with=(("kinesisSourceConfiguration",), ("mskSourceConfiguration",)),
    ),
    # --- file systems and volumes ----------------------------------------------------------------
    DataStore(
        "aws:efs/fileSystem:FileSystem", "EFS file system", in_vpc=True,
        encryption=(_enabled("encrypted"),), keys=(("kmsKeyId",),),
    ),
    DataStore(
        # A file system's automatic daily backups (botocore efs BackupPolicy.Status: ENABLED, ENABLING, DISABLED
        # "Automatic back ups are turned off for the file system", DISABLING; pulumi-aws 7 efs/_inputs.py
        # BackupPolicyBackupPolicyArgs.status "Valid values: ENABLED, DISABLED"). Only a policy the program writes is
        # judged: without one, the file system's backups may come from an AWS Backup plan of another stack.
        "aws:efs/backupPolicy:BackupPolicy", "EFS backup policy", holds_data=False, stateful=False,
        backup=(Setting(("backupPolicy", "*", "status"), ok=("ENABLED", "ENABLING"),
                        note="automatic backups are turned off"),),
    ),
    DataStore(
        "aws:fsx/lustreFileSystem:LustreFileSystem", "FSx for Lustre file system", in_vpc=True,
        keys=(("kmsKeyId",),),  # always encrypted at rest
    ),
    # FSx for Windows File Server, NetApp ONTAP and OpenZFS are always encrypted at rest; kmsKeyId absent
    # means the AWS-managed aws/fsx key (pulumi-aws fsx/*_file_system.py). Checkov CKV_AWS_179, 178, 203.
    DataStore(
        "aws:fsx/windowsFileSystem:WindowsFileSystem", "FSx for Windows File Server file system", in_vpc=True,
        keys=(("kmsKeyId",),),
    ),
    DataStore(
        "aws:fsx/ontapFileSystem:OntapFileSystem", "FSx for NetApp ONTAP file system", in_vpc=True,
        keys=(("kmsKeyId",),),
    ),
    DataStore(
        "aws:fsx/openZfsFileSystem:OpenZfsFileSystem", "FSx for OpenZFS file system", in_vpc=True,
        keys=(("kmsKeyId",),),
    ),
    DataStore(
        "aws:ebs/volume:Volume", "EBS volume",
        encryption=(_enabled("encrypted"),), keys=(("kmsKeyId",),),
    ),
    DataStore(
        "aws:ebs/encryptionByDefault:EncryptionByDefault", "account default EBS encryption",
        holds_data=False, stateful=False,
        encryption=(_enabled("enabled", default=True),),
    ),
    DataStore(
        "aws:ebs/defaultKmsKey:DefaultKmsKey", "account default EBS key",
        holds_data=False, stateful=False,
        keys=(("keyArn",),),
    ),
    # --- analytics -------------------------------------------------------------------------------
    DataStore(
        "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings", "Glue Data Catalog encryption",
        holds_data=False, stateful=False,
        encryption=(Setting(_GLUE + ("encryptionAtRest", "catalogEncryptionMode"),
                            ok=("SSE-KMS", "SSE-KMS-WITH-SERVICE-ROLE"), default="DISABLED"),
                    _enabled(*_GLUE, "connectionPasswordEncryption", "returnConnectionPasswordEncrypted",
                             note="connection passwords are stored unencrypted")),
        keys=(_GLUE + ("encryptionAtRest", "sseAwsKmsKeyId"), _GLUE + ("connectionPasswordEncryption", "awsKmsKeyId")),
    ),
    DataStore(
        "aws:glue/securityConfiguration:SecurityConfiguration", "Glue security configuration",
        holds_data=False, stateful=False,
        encryption=(Setting(_GLUE_SC + ("s3Encryption", "s3EncryptionMode"), ok=("SSE-KMS", "SSE-S3"),
                            default="DISABLED"),
                    Setting(_GLUE_SC + ("cloudwatchEncryption", "cloudwatchEncryptionMode"), ok=("SSE-KMS",),
                            default="DISABLED"),
                    Setting(_GLUE_SC + ("jobBookmarksEncryption", "jobBookmarksEncryptionMode"), ok=("CSE-KMS",),
                            default="DISABLED")),
        cmk=(Setting(_GLUE_SC + ("s3Encryption", "s3EncryptionMode"), ok=("SSE-KMS",), default="DISABLED"),),
        keys=(_GLUE_SC + ("s3Encryption", "kmsKeyArn"), _GLUE_SC + ("cloudwatchEncryption", "kmsKeyArn"),
              _GLUE_SC + ("jobBookmarksEncryption", "kmsKeyArn")),
    ),
    DataStore(
        "aws:glue/catalogDatabase:CatalogDatabase", "Glue catalog database",  # encrypted by the account's settings
    ),
    DataStore(
        # Results in the team's bucket (resultConfiguration) unless managedQueryResultsConfiguration.enabled keeps them in
        # Athena-owned storage, always encrypted: "A workgroup cannot have the ResultConfiguration$OutputLocation
        # parameter when you set this field to true. The default is false" (botocore athena
        # ManagedQueryResultsConfiguration); the bucket's encryption settings are then not judged.
        "aws:athena/workgroup:Workgroup", "Athena workgroup",
        holds_data=False, stateful=False,  # its results live in a bucket
        encryption=(Setting(_ATHENA + ("encryptionOption",), ok=("SSE_S3", "SSE_KMS", "CSE_KMS"),
                            note="query results are written unencrypted", when=_ATHENA_BUCKET_RESULTS),
                    _enabled("configuration", "enforceWorkgroupConfiguration", default=True,
                             note="clients may override the workgroup's encryption")),
        cmk=(Setting(_ATHENA + ("encryptionOption",), ok=("SSE_KMS", "CSE_KMS"), when=_ATHENA_BUCKET_RESULTS),),
        # The bucket results' key, and the key of results kept in Athena-owned storage:
        # managedQueryResultsConfiguration.encryptionConfiguration.kmsKey, "The ARN of an KMS key for encrypting managed
        # query results" (botocore athena ManagedQueryResultsEncryptionConfiguration; absent, an AWS-owned key).
        keys_when=((_disabled("configuration", "managedQueryResultsConfiguration", "enabled"), _ATHENA + ("kmsKeyArn",)),
                   (_enabled("configuration", "managedQueryResultsConfiguration", "enabled"),
                    ("configuration", "managedQueryResultsConfiguration", "encryptionConfiguration", "kmsKey"))),
    ),
    DataStore(
        "aws:mwaa/environment:Environment", "Managed Airflow (MWAA) environment", holds_data=False, stateful=False,
        keys=(("kmsKey",),),  # always encrypted; absent means an AWS-owned key
        private=(Setting(("webserverAccessMode",), ok=("PRIVATE_ONLY",), default="PRIVATE_ONLY",
                         note="the Airflow web server is reachable from the internet"),),
        # Each module's logs (pulumi-aws 7 mwaa/_inputs.py EnvironmentLoggingConfigurationArgs): task logs "Enabled by
        # default with `INFO` log level", DAG processing, scheduler, web server and worker logs "Disabled by default".
        # Checkov CKV_AWS_242, 243, 244 ask for the scheduler's, the workers' and the web server's (sign-ins, API calls).
        logging=tuple(_enabled("loggingConfiguration", module, "enabled", note=f"no Airflow {what} logs are published")
                      for module, what in (("schedulerLogs", "scheduler"), ("webserverLogs", "web server"),
                                           ("workerLogs", "worker"))) +
                (_enabled("loggingConfiguration", "taskLogs", "enabled", default=True,
                          note="no Airflow task logs are published"),),
    ),
    DataStore(
        "aws:glue/job:Job", "Glue job", holds_data=False, stateful=False,
        encryption=(Setting(("securityConfiguration",), present=True,
                            note="no security configuration: its S3 output, logs and bookmarks are not KMS-encrypted"),),
    ),
    DataStore(
        # Checkov CKV_AWS_195 (Glue components with a security configuration) covers dev endpoints too.
        "aws:glue/devEndpoint:DevEndpoint", "Glue development endpoint", holds_data=False, stateful=False,
        encryption=(Setting(("securityConfiguration",), present=True,
                            note="no security configuration: its S3 output, logs and bookmarks are not KMS-encrypted"),),
    ),
    DataStore(
        "aws:glue/crawler:Crawler", "Glue crawler", holds_data=False, stateful=False,
        encryption=(Setting(("securityConfiguration",), present=True,
                            note="no security configuration: its logs are not KMS-encrypted"),),
    ),
    DataStore(
        "aws:emr/cluster:Cluster", "EMR cluster", holds_data=False, stateful=False,
        encryption=(Setting(("securityConfiguration",), present=True,
                            note="no security configuration: no EMR at-rest or in-transit encryption"),),
        # logUri: "If a value is not provided, logs are not created"; logEncryptionKmsKeyId: "If a value is not
        # provided, the logs remain encrypted by AES-256" (botocore emr RunJobFlowInput; EMR 5.30.0 and later).
        logging=(Setting(("logUri",), present=True, note="no step, node or application logs are kept"),),
        keys_when=((Setting(("logUri",), present=True), ("logEncryptionKmsKeyId",)),),
    ),
    DataStore(
        "aws:codebuild/project:Project", "CodeBuild project", holds_data=False, stateful=False,
        # Output artifacts and S3 build logs are encrypted unless encryptionDisabled (default false; pulumi-aws
        # codebuild/_inputs.py ProjectArtifactsArgs, ProjectLogsConfigS3LogsArgs). Checkov CKV_AWS_78, CKV_AWS_311.
        encryption=(_disabled("artifacts", "encryptionDisabled", note="build artifacts are written unencrypted"),
                    _disabled("logsConfig", "s3Logs", "encryptionDisabled",
                              note="build logs are written to S3 unencrypted")),
        keys=(("encryptionKey",),),  # build artifacts: absent means the AWS-managed aws/s3 key
        # projectVisibility: "PUBLIC_READ: The project builds are visible to the public" (build logs, artifacts and
        # the build's environment: botocore codebuild ProjectVisibilityType; default PRIVATE, pulumi-aws
        # codebuild/project.py).
        private=(Setting(("projectVisibility",), bad=("PUBLIC_READ",), default="PRIVATE",
                         note="anyone can read the project's build logs and artifacts"),),
        # source.insecureSsl: "Enable this flag to ignore SSL warnings while connecting to the project source code"
        # (botocore codebuild ProjectSource.insecureSsl; default false), for the primary and every secondary source.
        in_transit=(_disabled("source", "*", "insecureSsl",
                              note="the source's TLS certificate is not verified (a man in the middle can serve "
                                   "the build's code)"),
                    _disabled("secondarySources", "*", "insecureSsl",
                              note="a secondary source's TLS certificate is not verified")),
    ),
    DataStore(
        # A Cognito user pool (its users, their attributes and credentials): deletionProtection "Valid values are
        # ACTIVE and INACTIVE, Default value is INACTIVE" (pulumi-aws 7 cognito/user_pool.py; botocore cognito-idp
        # CreateUserPoolRequest.DeletionProtection; Security Hub Cognito.6). Not a holds_data row: its tags and
        # protection are the application's, and the pool's encryption is always AWS's.
        "aws:cognito/userPool:UserPool", "Cognito user pool", holds_data=False, stateful=False,
        deletion_protection=(Setting(("deletionProtection",), ok=("ACTIVE",), default="INACTIVE",
                                     note="a delete request removes every user"),),
    ),
    DataStore(
        "aws-native:cognito:UserPool", "Cognito user pool", holds_data=False, stateful=False,
        deletion_protection=(Setting(("deletionProtection",), ok=("ACTIVE",), default="INACTIVE",
                                     note="a delete request removes every user"),),
    ),
    DataStore(
        # A report group's S3 export: "encryptionDisabled: A boolean value that specifies if the results of a report
        # are encrypted" (default false) and "encryptionKey: The encryption key for the report's encrypted raw data"
        # (botocore codebuild S3ReportExportConfig; pulumi-aws codebuild/_inputs.py
        # ReportGroupExportConfigS3DestinationArgs). Security Hub CodeBuild.7; a NO_EXPORT group has no destination.
        "aws:codebuild/reportGroup:ReportGroup", "CodeBuild report group", holds_data=False, stateful=False,
        encryption=(_disabled("exportConfig", "*", "s3Destination", "*", "encryptionDisabled",
                              note="exported test and coverage reports are written unencrypted"),),
        keys=(("exportConfig", "*", "s3Destination", "*", "encryptionKey"),),
    ),
    # --- more databases and ML services (customer-managed keys; Checkov CKV_AWS_265, 160, 373, 262, 267, 268)
    DataStore(
        # Keyspaces: always encrypted; encryptionSpecification.type defaults to AWS_OWNED_KMS_KEY
        # (pulumi-aws keyspaces/_inputs.py TableEncryptionSpecificationArgs).
        "aws:keyspaces/table:Table", "Keyspaces table",
        cmk=(Setting(("encryptionSpecification", "type"), ok=("CUSTOMER_MANAGED_KMS_KEY",),
                     default="AWS_OWNED_KMS_KEY"),),
        keys=(("encryptionSpecification", "kmsKeyIdentifier"),),
    ),
    DataStore(
        "aws:timestreamwrite/database:Database", "Timestream database",
        keys=(("kmsKeyId",),),  # always encrypted; absent means the AWS-managed aws/timestream key
    ),
    DataStore(
        # Bedrock agents, custom models, Kendra indexes, Comprehend models: encrypted with an AWS-owned key
        # unless a key is named; they hold prompts, session data, training data and indexed documents.
        "aws:bedrock/agentAgent:AgentAgent", "Bedrock agent", holds_data=False, stateful=False,
        keys=(("customerEncryptionKeyArn",),),
    ),
    DataStore(
        "aws:bedrock/customModel:CustomModel", "Bedrock custom model", holds_data=False, stateful=False,
        keys=(("customModelKmsKeyId",),),
    ),
    # --- generative AI: Bedrock guardrails, flows, prompts, knowledge-base data sources, evaluation and batch
    # inference jobs, and AgentCore. Each key absent means an AWS-owned or AWS-managed key (botocore bedrock
    # CreateGuardrailRequest.kmsKeyId, CreateEvaluationJobRequest.customerEncryptionKeyId,
    # ModelInvocationJobS3OutputDataConfig.s3EncryptionKeyId; bedrock-agent CreateFlowRequest/CreatePromptRequest
    # .customerEncryptionKeyArn, CreateDataSourceRequest.serverSideEncryptionConfiguration; bedrock-agentcore-control
    # CreateMemoryInput.encryptionKeyArn, CreateGatewayRequest.kmsKeyArn, CreatePolicyEngineRequest.encryptionKeyArn,
    # CreateEvaluatorRequest.kmsKeyArn "If you don't specify a KMS key, ... an Amazon Web Services owned key",
    # KmsConfiguration.keyType CustomerManagedKey | ServiceManagedKey). pulumi-aws 7 names them as below.
    DataStore(
        # Guardrail definitions: denied topics, word lists and regexes (which describe what is sensitive).
        "aws:bedrock/guardrail:Guardrail", "Bedrock guardrail", holds_data=False, stateful=False,
        keys=(("kmsKeyArn",),),
    ),
    DataStore(
        "aws:bedrock/agentFlow:AgentFlow", "Bedrock flow", holds_data=False, stateful=False,
        keys=(("customerEncryptionKeyArn",),),
    ),
    DataStore(
        "aws:bedrock/agentPrompt:AgentPrompt", "Bedrock prompt", holds_data=False, stateful=False,
        keys=(("customerEncryptionKeyArn",),),
    ),
    DataStore(
        # The knowledge base's ingestion of the source's documents (chunks in transit through Bedrock).
        "aws:bedrock/agentDataSource:AgentDataSource", "Bedrock knowledge base data source",
        holds_data=False, stateful=False,
        keys=(("serverSideEncryptionConfiguration", "kmsKeyArn"),),
    ),
    DataStore(
        "aws:bedrock/evaluationJob:EvaluationJob", "Bedrock evaluation job", holds_data=False, stateful=False,
        keys=(("customerEncryptionKeyId",),),
    ),
    DataStore(
        # Batch inference output: the model's answers to every prompt of the input, in S3.
        "aws:bedrockmodel/invocationJob:InvocationJob", "Bedrock batch inference job", holds_data=False,
        stateful=False,
        keys=(("outputDataConfig", "s3OutputDataConfig", "s3EncryptionKeyId"),),
    ),
    DataStore(
        # An agent's short- and long-term memory: conversation events and the facts extracted from them.
        "aws:bedrock/agentcoreMemory:AgentcoreMemory", "Bedrock AgentCore memory",
        keys=(("encryptionKeyArn",),),
    ),
    DataStore(
        "aws:bedrock/agentcoreGateway:AgentcoreGateway", "Bedrock AgentCore gateway", holds_data=False,
        stateful=False,
        keys=(("kmsKeyArn",),),
    ),
    DataStore(
        "aws:bedrock/agentcorePolicyEngine:AgentcorePolicyEngine", "Bedrock AgentCore policy engine",
        holds_data=False, stateful=False,
        keys=(("encryptionKeyArn",),),
    ),
    DataStore(
        "aws:bedrock/agentcoreEvaluator:AgentcoreEvaluator", "Bedrock AgentCore evaluator", holds_data=False,
        stateful=False,
        keys=(("kmsKeyArn",),),
    ),
    DataStore(
        # The token vault keeps the OAuth tokens and API keys agents use for third-party tools.
        "aws:bedrock/agentcoreTokenVaultCmk:AgentcoreTokenVaultCmk", "Bedrock AgentCore token vault",
        holds_data=False, stateful=False,
        cmk=(Setting(("kmsConfiguration", "keyType"), ok=("CustomerManagedKey",), default="ServiceManagedKey"),),
        keys=(("kmsConfiguration", "kmsKeyArn"),),
    ),
    DataStore(
        # SageMaker model cards (intended uses, risk ratings, evaluation results): securityConfig.kmsKeyId names
        # "a Key Management Service key ID to use for encrypting a model card" (botocore sagemaker ModelCardSecurityConfig).
        "aws:sagemaker/modelCard:ModelCard", "SageMaker model card", holds_data=False, stateful=False,
        keys=(("securityConfig", "kmsKeyId"),),
    ),
    DataStore(
        # Edge device fleet's captured data (outputConfig.kmsKeyId absent: "the default KMS key for Amazon S3").
        "aws:sagemaker/deviceFleet:DeviceFleet", "SageMaker edge device fleet", holds_data=False, stateful=False,
        keys=(("outputConfig", "kmsKeyId"),),
    ),
    DataStore(
        # EMR Serverless job logs (Spark driver and executor output, which can print the data): the key of the S3
        # logs and of the CloudWatch logs, where the application publishes them (botocore emr-serverless
        # S3MonitoringConfiguration, CloudWatchLoggingConfiguration .encryptionKeyArn; pulumi-aws 7 spells the latter
        # cloudwatchLoggingConfiguration). Managed log persistence (on by default) is not judged.
        "aws:emrserverless/application:Application", "EMR Serverless application", holds_data=False, stateful=False,
        keys_when=(
            (Setting(("monitoringConfiguration", "s3MonitoringConfiguration", "logUri"), present=True),
             ("monitoringConfiguration", "s3MonitoringConfiguration", "encryptionKeyArn")),
            (_enabled("monitoringConfiguration", "cloudwatchLoggingConfiguration", "enabled"),
             ("monitoringConfiguration", "cloudwatchLoggingConfiguration", "encryptionKeyArn")),
        ),
    ),
    DataStore(
        # Neptune Analytics graphs, the vector and graph store of GraphRAG knowledge bases. kmsKeyIdentifier: "By
        # Default, Neptune Analytics will use an AWS provided key" (pulumi-aws 7 neptunegraph/graph.py);
        # publicConnectivity: "whether the Graph can be reached over the internet" (absent taken as false, the
        # generous reading); deletionProtection absent taken as true (AWS::NeptuneGraph::Graph's documented default).
        "aws:neptunegraph/graph:Graph", "Neptune Analytics graph",
        keys=(("kmsKeyIdentifier",),),
        private=(_disabled("publicConnectivity", note="its endpoint resolves to a public IP address"),),
        deletion_protection=(_enabled("deletionProtection", default=True),),
    ),
    DataStore(
        # Amazon Q Business: the documents it indexes and the conversations (botocore qbusiness EncryptionConfiguration
        # "the KMS key used to encrypt data indexed by Amazon Q Business"; absent, an AWS-owned key).
        "aws:qbusiness/application:Application", "Amazon Q Business application", holds_data=False, stateful=False,
        keys=(("encryptionConfiguration", "kmsKeyId"),),
    ),
    DataStore(
        "aws:kendra/index:Index", "Kendra index", holds_data=False, stateful=False,
        keys=(("serverSideEncryptionConfiguration", "kmsKeyId"),),
    ),
    DataStore(
        "aws:comprehend/entityRecognizer:EntityRecognizer", "Comprehend entity recognizer",
        holds_data=False, stateful=False,
        keys=(("modelKmsKeyId",), ("volumeKmsKeyId",)),
    ),
    DataStore(
        # A label-detection (connectedHome) stream processor's results and the image frames it writes to S3: KmsKeyId "is
        # an optional parameter for label detection stream processors and should not be used to create a face search
        # stream processor ... The key is used to encrypt results and data published to your Amazon S3 bucket, which
        # includes image frames and hero images" (botocore rekognition CreateStreamProcessorRequest); absent, the
        # bucket's default encryption. A face search processor (settings.faceSearch, Kinesis output) takes no key.
        "aws:rekognition/streamProcessor:StreamProcessor", "Rekognition stream processor", holds_data=False,
        stateful=False,
        keys_when=((Setting(("settings", "connectedHome"), present=True), ("kmsKeyId",)),),
    ),
    DataStore(
        # The classifier's output (outputDataConfig.kmsKeyId, where the block is written; absent, the aws/s3 key).
        "aws:comprehend/documentClassifier:DocumentClassifier", "Comprehend document classifier",
        holds_data=False, stateful=False,
        keys=(("modelKmsKeyId",), ("volumeKmsKeyId",), ("outputDataConfig", "*", "kmsKeyId")),
    ),
    # --- replicas, global clusters and other encrypted settings (Checkov CKV_AWS_140, 292, 155, 156, 177, 281,
    # 294, 297, 221, 271, 344, 345, 346, 372). AMI, EBS and RDS snapshot copies are not rows: without
    # `encrypted`/`kmsKeyId` a copy keeps its source's encryption and key, which the program does not show.
    DataStore(
        # A global cluster made from an existing cluster (sourceDbClusterIdentifier) has that cluster's encryption.
        "aws:rds/globalCluster:GlobalCluster", "Aurora global cluster", holds_data=False, stateful=False,
        encryption=(_enabled("storageEncrypted"),),
        encryption_not_applicable_with=(("sourceDbClusterIdentifier",),),
    ),
    DataStore(
        "aws:docdb/globalCluster:GlobalCluster", "DocumentDB global cluster", holds_data=False, stateful=False,
        encryption=(_enabled("storageEncrypted"),),
        encryption_not_applicable_with=(("sourceDbClusterIdentifier",),),
    ),
    DataStore(
        # WorkSpaces volumes are unencrypted unless asked (pulumi-aws workspaces/workspace.py; both default false).
        "aws:workspaces/workspace:Workspace", "WorkSpaces workspace",
        encryption=(_enabled("rootVolumeEncryptionEnabled"), _enabled("userVolumeEncryptionEnabled")),
        keys=(("volumeEncryptionKey",),),
    ),
    DataStore(
        "aws:kinesis/videoStream:VideoStream", "Kinesis video stream",
        keys=(("kmsKeyId",),),  # always encrypted; absent means aws/kinesisvideo
    ),
    DataStore(
        "aws:redshift/snapshotCopyGrant:SnapshotCopyGrant", "Redshift snapshot copy grant",
        holds_data=False, stateful=False,
        keys=(("kmsKeyId",),),  # absent means the AWS-managed key in the destination region
    ),
    DataStore(
        "aws:cloudtrail/eventDataStore:EventDataStore", "CloudTrail Lake event data store",
        holds_data=False, stateful=False,
        keys=(("kmsKeyId",),),  # absent means an AWS-owned key
    ),
    DataStore(
        "aws:scheduler/schedule:Schedule", "EventBridge Scheduler schedule", holds_data=False, stateful=False,
        keys=(("kmsKeyArn",),),  # the schedule's target input; absent means an AWS-owned key
    ),
    DataStore(
        "aws:codeartifact/domain:Domain", "CodeArtifact domain", holds_data=False, stateful=False,
        keys=(("encryptionKey",),),  # absent means the AWS-managed aws/codeartifact key
    ),
    DataStore(
        "aws:dynamodb/tableReplica:TableReplica", "DynamoDB table replica", holds_data=False, stateful=False,
        keys=(("kmsKeyArn",),),  # absent means the AWS-owned key (the replica's own region)
    ),
    DataStore(
        # Network Firewall: encryptionConfiguration.type CUSTOMER_KMS or AWS_OWNED_KMS_KEY (the default).
        "aws:networkfirewall/firewall:Firewall", "Network Firewall firewall", holds_data=False, stateful=False,
        cmk=(Setting(("encryptionConfiguration", "type"), ok=("CUSTOMER_KMS",), default="AWS_OWNED_KMS_KEY"),),
        keys=(("encryptionConfiguration", "keyId"),),
        deletion_protection=(_enabled("deleteProtection", note="a change that replaces it drops the traffic "
                                                              "inspection"),),
    ),
    DataStore(
        "aws:networkfirewall/firewallPolicy:FirewallPolicy", "Network Firewall policy",
        holds_data=False, stateful=False,
        cmk=(Setting(("encryptionConfiguration", "type"), ok=("CUSTOMER_KMS",), default="AWS_OWNED_KMS_KEY"),),
        keys=(("encryptionConfiguration", "keyId"),),
    ),
    DataStore(
        # Client VPN: connectionLogOptions (required) with enabled false logs no connection attempt (who,
        # from where, when, accepted or refused); pulumi-aws ec2clientvpn/endpoint.py, EC2 API
        # ConnectionLogOptions.Enabled. AWS Security Hub EC2.51 ("EC2 Client VPN endpoints should have
        # client connection logging enabled").
        "aws:ec2clientvpn/endpoint:Endpoint", "Client VPN endpoint", holds_data=False, stateful=False,
        logging=(_enabled("connectionLogOptions", "enabled",
                          note="no client connection (who connected, from where, when) is logged"),),
    ),
    DataStore(
        # SageMaker Augmented AI human review output (outputConfig.kmsKeyId absent: the aws/s3 key).
        "aws:sagemaker/flowDefinition:FlowDefinition", "SageMaker human review flow definition",
        holds_data=False, stateful=False,
        keys=(("outputConfig", "kmsKeyId"),),
    ),
    # --- images, pipelines, integrations (Checkov CKV_AWS_77, 180, 199, 200, 219, 263, 264, 269, 270, 278, 296,
    # 298, 246, 381, 253-256). Keys absent mean an AWS-managed or AWS-owned key.
    DataStore(
        # Athena databases: the encryption of the query results of the DDL that creates them.
        "aws:athena/database:Database", "Athena database", holds_data=False, stateful=False,
        encryption=(Setting(("encryptionConfiguration", "encryptionOption"), present=True,
                            note="query results are written unencrypted"),),
        cmk=(Setting(("encryptionConfiguration", "encryptionOption"), ok=("SSE_KMS", "CSE_KMS")),),
        keys=(("encryptionConfiguration", "kmsKey"),),
    ),
    DataStore(
        "aws:imagebuilder/component:Component", "Image Builder component", holds_data=False, stateful=False,
        keys=(("kmsKeyId",),),
    ),
    DataStore(
        # Each distribution that makes an AMI (container distributions have no key).
        "aws:imagebuilder/distributionConfiguration:DistributionConfiguration", "Image Builder distribution",
        holds_data=False, stateful=False,
        keys=(("distributions", "*", "amiDistributionConfiguration", "*", "kmsKeyId"),),
    ),
    DataStore(
        # Each EBS mapping; an absent `encrypted` or key is the parent image's (pulumi-aws imagebuilder/_inputs.py
        # ImageRecipeBlockDeviceMappingEbsArgs), judged as not set, as Checkov does.
        "aws:imagebuilder/imageRecipe:ImageRecipe", "Image Builder image recipe", holds_data=False, stateful=False,
        encryption=(_enabled("blockDeviceMappings", "*", "ebs", "*", "encrypted", default=None,
                             note="the volume is not encrypted unless its parent image's is"),),
        keys=(("blockDeviceMappings", "*", "ebs", "*", "kmsKeyId"),),
    ),
    DataStore(
        # Without encryptionKey, artifacts are encrypted with the AWS-managed aws/s3 key.
        "aws:codepipeline/pipeline:Pipeline", "CodePipeline pipeline", holds_data=False, stateful=False,
        cmk=(Setting(("artifactStores", "*", "encryptionKey"), present=True,
                     note="artifacts are encrypted with the AWS-managed aws/s3 key"),),
        keys=(("artifactStores", "*", "encryptionKey", "*", "id"),),
    ),
    DataStore("aws:appflow/flow:Flow", "AppFlow flow", holds_data=False, stateful=False, keys=(("kmsArn",),)),
    DataStore("aws:appflow/connectorProfile:ConnectorProfile", "AppFlow connector profile", holds_data=False,
              stateful=False, keys=(("kmsArn",),)),
    DataStore(
        # Contact recordings and transcripts: the config of the storage type in use.
        "aws:connect/instanceStorageConfig:InstanceStorageConfig", "Connect instance storage config",
        holds_data=False, stateful=False,
        keys=(("storageConfig", "kinesisVideoStreamConfig", "*", "encryptionConfig", "keyId"),
              ("storageConfig", "s3Config", "*", "encryptionConfig", "keyId")),
    ),
    DataStore("aws:memorydb/snapshot:Snapshot", "MemoryDB snapshot", holds_data=False, stateful=False,
              keys=(("kmsKeyArn",),)),
    DataStore(
        # The key of the endpoint's connection settings (absent: the AWS-managed aws/dms key).
        "aws:dms/endpoint:Endpoint", "DMS endpoint", holds_data=False, stateful=False, keys=(("kmsKeyArn",),),
    ),
    DataStore(
        # A target endpoint's objects: encryptionMode SSE_S3 by default, SSE_KMS with serverSideEncryptionKmsKeyId
        # (source endpoints ignore both; kmsKeyArn is deprecated in pulumi-aws 7, dms/s3_endpoint.py).
        "aws:dms/s3Endpoint:S3Endpoint", "DMS S3 endpoint", holds_data=False, stateful=False,
        cmk=(Setting(("encryptionMode",), ok=("SSE_KMS",), default="SSE_S3", when=(("endpointType",), ("target",))),),
        keys_when=((Setting(("endpointType",), ok=("target",)), ("serverSideEncryptionKmsKeyId",)),),
    ),
    DataStore("aws:rds/clusterActivityStream:ClusterActivityStream", "RDS cluster activity stream",
              holds_data=False, stateful=False, keys=(("kmsKeyId",),)),
    DataStore(
        "aws:codegurureviewer/repositoryAssociation:RepositoryAssociation", "CodeGuru Reviewer repository association",
        holds_data=False, stateful=False,
        cmk=(Setting(("kmsKeyDetails", "encryptionOption"), ok=("CUSTOMER_MANAGED_CMK",), default="AWS_OWNED_CMK"),),
    ),
    DataStore(
        # Snapshot copies to another region: encrypted (required input, false means unencrypted unless the source
        # or the destination's default encryption says otherwise) and with a customer-managed key.
        "aws:dlm/lifecyclePolicy:LifecyclePolicy", "DLM lifecycle policy", holds_data=False, stateful=False,
        encryption=(_enabled(*_DLM_EVENT_COPY, "encrypted", note="cross-region copies are not encrypted"),
                    _enabled(*_DLM_SCHEDULE_COPY, "encrypted", note="cross-region copies are not encrypted")),
        keys=(_DLM_EVENT_COPY + ("cmkArn",), _DLM_SCHEDULE_COPY + ("cmkArn",)),
    ),
    DataStore(
        # ECS Exec: `logging` DEFAULT (the task's awslogs configuration) unless NONE; the session between client
        # and container is encrypted with kmsKeyId when the block is written (pulumi-aws ecs/_inputs.py
        # ClusterConfigurationExecuteCommandConfigurationArgs). Checkov CKV_AWS_223, 224.
        "aws:ecs/cluster:Cluster", "ECS cluster", holds_data=False, stateful=False,
        logging=(Setting(("configuration", "executeCommandConfiguration", "logging"), bad=("NONE",), default="DEFAULT",
                         note="ECS Exec sessions are not logged"),),
        keys=(("configuration", "executeCommandConfiguration", "*", "kmsKeyId"),),
    ),
    DataStore(
        # CloudSearch: HTTP allowed and TLS 1.0 unless endpointOptions say otherwise (botocore cloudsearch
        # DomainEndpointOptions; the provider sets neither). Checkov CKV_AWS_220, 218.
        "aws:cloudsearch/domain:Domain", "CloudSearch domain", holds_data=False, stateful=False,
        in_transit=(_enabled("endpointOptions", "enforceHttps", note="clients may search over plain HTTP"),
                    Setting(("endpointOptions", "tlsSecurityPolicy"), bad=_OLD_TLS, default=_OLD_TLS[0],
                            note="TLS 1.0 and 1.1 are allowed")),
    ),
    # --- ML and data services (the type-by-type audit of benchmarks/data/ml_data_input_audit.tsv) --
    DataStore(
        # S3 Tables (Iceberg tables for analytics and training data): always encrypted; encryptionConfiguration
        # sseAlgorithm "AES256 for S3-managed encryption keys, or aws:kms" (botocore s3tables EncryptionConfiguration;
        # pulumi-aws 7 s3tables/_inputs.py "One of `aws:kms` or `AES256`"); absent, S3-managed (AES256). forceDestroy
        # deletes every table and namespace with the bucket ("These tables and namespaces are *not* recoverable").
        "aws:s3tables/tableBucket:TableBucket", "S3 table bucket",
        cmk=(Setting(("encryptionConfiguration", "sseAlgorithm"), ok=("aws:kms",), default="AES256",
                     note="tables are encrypted with S3-managed keys"),),
        keys=(("encryptionConfiguration", "kmsKeyArn"),),
        deletion_protection=(_disabled("forceDestroy", note="a delete removes every table and namespace"),),
    ),
    DataStore(
        # A table's own encryptionConfiguration overrides its bucket's default ("applied to all tables created in this
        # bucket unless overridden at the table level", botocore s3tables CreateTableBucketRequest); judged only where
        # written (absent, the bucket's row judges the default).
        "aws:s3tables/table:Table", "S3 table", holds_data=False, stateful=False,
        cmk=(Setting(("encryptionConfiguration", "*", "sseAlgorithm"), ok=("aws:kms",),
                     note="the table is encrypted with S3-managed keys"),),
        keys=(("encryptionConfiguration", "*", "kmsKeyArn"),),
    ),
    DataStore(
        # Timestream for InfluxDB (time series: sensor data, model metrics). publiclyAccessible "Configures the DB
        # instance with a public IP to facilitate access" (botocore timestream-influxdb CreateDbInstanceInput,
        # CreateDbClusterInput; absent, no public IP). Always encrypted at rest; botocore's kmsKeyId is not an input
        # of pulumi-aws 7.51, so no key is judged. logDeliveryConfiguration.s3Configuration.enabled sends the engine's
        # logs to S3 (pulumi-aws 7 timestreaminfluxdb/_inputs.py).
        "aws:timestreaminfluxdb/dbInstance:DbInstance", "Timestream for InfluxDB instance", in_vpc=True,
        private=(_disabled("publiclyAccessible", note="the instance gets a public IP address"),),
        logging=(_enabled("logDeliveryConfiguration", "s3Configuration", "enabled",
                          note="no engine logs are delivered"),),
    ),
    DataStore(
        "aws:timestreaminfluxdb/dbCluster:DbCluster", "Timestream for InfluxDB cluster", in_vpc=True,
        private=(_disabled("publiclyAccessible", note="the cluster gets a public IP address"),),
        logging=(_enabled("logDeliveryConfiguration", "s3Configuration", "enabled",
                          note="no engine logs are delivered"),),
    ),
    DataStore(
        # OpenSearch Ingestion pipelines (ingest into OpenSearch and vector stores): without vpcOptions "OpenSearch
        # Ingestion creates the pipeline with a public endpoint" (botocore osis CreatePipelineRequest.VpcOptions);
        # encryptionAtRestOptions.kmsKeyArn encrypts the persistent buffer, "By default, data is encrypted using an
        # AWS owned key" (pulumi-aws 7 opensearchingest/_inputs.py); logPublishingOptions.isLoggingEnabled.
        "aws:opensearchingest/pipeline:Pipeline", "OpenSearch Ingestion pipeline", holds_data=False, stateful=False,
        private=(Setting(("vpcOptions", "subnetIds"), present=True,
                         note="the pipeline has a public endpoint (no vpcOptions)"),),
        keys_when=((_enabled("bufferOptions", "persistentBufferEnabled"), ("encryptionAtRestOptions", "kmsKeyArn")),),
        logging=(_enabled("logPublishingOptions", "isLoggingEnabled", note="no pipeline logs are published"),),
    ),
    DataStore(
        # DataZone domains (the business data catalog: assets, glossaries, subscriptions): kmsKeyIdentifier "is used
        # to encrypt the Amazon DataZone domain, metadata, and reporting data" (botocore datazone CreateDomainInput);
        # absent, an AWS-owned key.
        "aws:datazone/domain:Domain", "DataZone domain", holds_data=False, stateful=False,
        keys=(("kmsKeyIdentifier",),),
    ),
    DataStore(
        # MemoryDB multi-Region clusters: tlsEnabled "Whether to enable TLS encryption for the multi-Region cluster"
        # (botocore memorydb CreateMultiRegionClusterRequest; no default stated, so only an explicit false is judged,
        # as MemoryDB clusters default to TLS). The regional clusters hold the data and are their own rows.
        "aws:memorydb/multiRegionCluster:MultiRegionCluster", "MemoryDB multi-Region cluster",
        holds_data=False, stateful=False,
        in_transit=(_enabled("tlsEnabled", default=True),),
    ),
    DataStore(
        # MSK Connect connectors: kafkaClusterEncryptionInTransit.encryptionType "Valid values: `PLAINTEXT`, `TLS`. The
        # default values is `PLAINTEXT`" (pulumi-aws 7 mskconnect/_inputs.py; botocore kafkaconnect
        # KafkaClusterEncryptionInTransitType).
        "aws:mskconnect/connector:Connector", "MSK Connect connector", holds_data=False, stateful=False,
        in_transit=(Setting(("kafkaClusterEncryptionInTransit", "encryptionType"), ok=("TLS",), default="PLAINTEXT",
                            note="records travel between the connector and the brokers in plain text"),),
    ),
    DataStore(
        # QuickSight data sources: sslProperties.disableSsl, "A Boolean option to control whether SSL should be
        # disabled" (botocore quicksight SslProperties; absent, SSL is used).
        "aws:quicksight/dataSource:DataSource", "QuickSight data source", holds_data=False, stateful=False,
        in_transit=(_disabled("sslProperties", "disableSsl",
                              note="QuickSight reads the database over an unencrypted connection"),),
    ),
    DataStore(
        # DataSync object-storage locations: serverProtocol "If not specified, the default value is HTTPS" (botocore
        # datasync CreateLocationObjectStorageRequest; pulumi-aws 7 "Valid values are `HTTP` or `HTTPS`").
        "aws:datasync/locationObjectStorage:LocationObjectStorage", "DataSync object storage location",
        holds_data=False, stateful=False,
        in_transit=(Setting(("serverProtocol",), ok=("HTTPS",), default="HTTPS",
                            note="data is copied from the object store over plain HTTP"),),
    ),
    DataStore(
        # Clean Rooms: queryLogStatus "When ENABLED, Clean Rooms logs details about queries run within this
        # collaboration ... The default value is DISABLED" (botocore cleanrooms CreateCollaborationInput,
        # CreateMembershipInput; required in pulumi-aws 7). Who ran which query over the pooled data.
        "aws:cleanrooms/collaboration:Collaboration", "Clean Rooms collaboration", holds_data=False, stateful=False,
        logging=(Setting(("queryLogStatus",), ok=("ENABLED",), default="DISABLED", note="queries are not logged"),),
    ),
    DataStore(
        "aws:cleanrooms/membership:Membership", "Clean Rooms membership", holds_data=False, stateful=False,
        logging=(Setting(("queryLogStatus",), ok=("ENABLED",), default="DISABLED", note="queries are not logged"),),
    ),
    DataStore(
        # EMR Studio: encryptionKeyArn, "used to encrypt Amazon EMR Studio workspace and notebook files when backed up
        # to Amazon S3" (botocore emr CreateStudioInput); absent, the bucket's default encryption.
        "aws:emr/studio:Studio", "EMR Studio", holds_data=False, stateful=False,
        keys=(("encryptionKeyArn",),),
    ),
    DataStore(
        # EMR on EKS job templates: kmsKeyArn, "The KMS key ARN used to encrypt the job template" (pulumi-aws 7
        # emrcontainers/job_template.py); the template holds the job's configuration overrides.
        "aws:emrcontainers/jobTemplate:JobTemplate", "EMR on EKS job template", holds_data=False, stateful=False,
        keys=(("kmsKeyArn",),),
    ),
    DataStore(
        # Managed Service for Apache Flink: applicationEncryptionConfiguration.keyType "Valid values:
        # `CUSTOMER_MANAGED_KEY`, `AWS_OWNED_KEY`" (pulumi-aws 7 kinesisanalyticsv2/_inputs.py; absent, an AWS-owned
        # key encrypts the application's state and snapshots); cloudwatchLoggingOptions, the log stream of its errors.
        "aws:kinesisanalyticsv2/application:Application", "Managed Service for Apache Flink application",
        holds_data=False, stateful=False,
        cmk=(Setting(("applicationConfiguration", "applicationEncryptionConfiguration", "keyType"),
                     ok=("CUSTOMER_MANAGED_KEY",), default="AWS_OWNED_KEY",
                     note="its state and snapshots are encrypted with an AWS-owned key"),),
        logging=(Setting(("cloudwatchLoggingOptions",), present=True, note="no application logs are published"),),
    ),
    DataStore(
        # OpenSearch UI applications: kmsKeyArn, "used to encrypt the application's data at rest" (pulumi-aws 7
        # opensearch/application.py); absent, an AWS-owned key.
        "aws:opensearch/application:Application", "OpenSearch UI application", holds_data=False, stateful=False,
        keys=(("kmsKeyArn",),),
    ),
    DataStore(
        # "If not specified, the scheduled query resource will be encrypted with a Timestream owned Amazon KMS key"
        # (pulumi-aws 7 timestreamquery/scheduled_query.py).
        "aws:timestreamquery/scheduledQuery:ScheduledQuery", "Timestream scheduled query",
        holds_data=False, stateful=False,
        keys=(("kmsKeyId",),),
    ),
    DataStore(
        # Managed Bedrock knowledge bases (knowledgeBaseConfiguration.type MANAGED: Bedrock keeps the vector store):
        # serverSideEncryptionConfiguration.kmsKeyArn, "ARN of the KMS key used to encrypt the managed knowledge base"
        # (pulumi-aws 7 bedrock/_inputs.py); a knowledge base over the team's own vector store is judged there.
        "aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase", "Bedrock knowledge base", holds_data=False,
        stateful=False,
        keys_when=((Setting(("knowledgeBaseConfiguration", "type"), ok=("MANAGED",)),
                    ("knowledgeBaseConfiguration", "managedKnowledgeBaseConfiguration",
                     "serverSideEncryptionConfiguration", "kmsKeyArn")),),
    ),
    DataStore(
        # DataSync EFS locations: inTransitEncryption "Valid values are `NONE` and `TLS1_2`" (pulumi-aws 7
        # datasync/efs_location.py; botocore datasync CreateLocationEfsRequest asks for TLS1_2 only with an access
        # point or IAM role, so absent is no TLS).
        "aws:datasync/efsLocation:EfsLocation", "DataSync EFS location", holds_data=False, stateful=False,
        in_transit=(Setting(("inTransitEncryption",), ok=("TLS1_2",), default="NONE",
                            note="data is copied to or from the file system without TLS"),),
    ),
    DataStore(
        # An AgentCore harness's managed memory (the agent's conversations): managedMemoryConfiguration.encryptionKeyArn
        # where the block is written (pulumi-aws 7 bedrock/_inputs.py; absent, an AWS-owned key), as AgentcoreMemory's.
        "aws:bedrock/agentcoreHarness:AgentcoreHarness", "Bedrock AgentCore harness", holds_data=False, stateful=False,
        keys=(("memory", "managedMemoryConfiguration", "*", "encryptionKeyArn"),),
    ),
    DataStore(
        # Transfer Family AS2 connectors: as2Config.encryptionAlgorithm, "Do not use the DES_EDE3_CBC algorithm unless you
        # must support a legacy client that requires it, as it is a weak encryption algorithm" (botocore transfer
        # As2ConnectorConfig; NONE is accepted only for an HTTPS URL, so it is not plain text).
        "aws:transfer/connector:Connector", "Transfer Family connector", holds_data=False, stateful=False,
        in_transit=(Setting(("as2Config", "*", "encryptionAlgorithm"), bad=("DES_EDE3_CBC",),
                            note="AS2 messages are encrypted with a weak cipher"),),
    ),
    DataStore(
        # Glue connections: JDBC_ENFORCE_SSL, "whether Secure Sockets Layer (SSL) with hostname matching is enforced for
        # the JDBC connection on the client. The default is false"; KAFKA_SSL_ENABLED, "Default value is true" (botocore
        # glue Connection.ConnectionProperties). connectionType "Defaults to `JDBC`" (pulumi-aws 7 glue/connection.py).
        "aws:glue/connection:Connection", "Glue connection", holds_data=False, stateful=False,
        in_transit=(Setting(("connectionProperties", "JDBC_ENFORCE_SSL"), ok=TRUE, default=False,
                            when=(("connectionType",), ("jdbc",), "jdbc"),
                            note="Glue jobs may read the database over an unencrypted connection"),
                    Setting(("connectionProperties", "KAFKA_SSL_ENABLED"), ok=TRUE, default=True,
                            when=(("connectionType",), ("kafka",)),
                            note="Glue jobs read the Kafka topics in plain text")),
    ),
    # --- secrets, backups, audit -----------------------------------------------------------------
    DataStore(
        "aws:secretsmanager/secret:Secret", "Secrets Manager secret",
        keys=(("kmsKeyId",),),  # always encrypted; absent means aws/secretsmanager
        deletion_protection=(Setting(("recoveryWindowInDays",), bad=(0,), default=30,
                                     note="the secret is deleted at once, without a recovery window"),),
    ),
    DataStore(
        "aws:backup/vault:Vault", "Backup vault",
        keys=(("kmsKeyArn",),),  # always encrypted; absent means aws/backup
        deletion_protection=(_disabled("forceDestroy", note="the vault can be deleted with its recovery points"),),
    ),
    DataStore(
        "aws:cloudtrail/trail:Trail", "CloudTrail trail",
        holds_data=False, stateful=False,
        keys=(("kmsKeyId",),),  # log files are SSE-S3 encrypted unless a key is set (CIS 3.5)
        # enableLogging false stops the trail (pulumi-aws cloudtrail/trail.py; default true). Checkov CKV_AWS_251.
        logging=(_enabled("enableLogging", default=True, note="the trail records nothing"),),
    ),
    DataStore(
        "aws:dms/replicationInstance:ReplicationInstance", "DMS replication instance",
        holds_data=False, stateful=False,
        keys=(("kmsKeyArn",),),
        private=(_disabled("publiclyAccessible", default=True, note="the instance gets a public address"),),
        patching=(_enabled("autoMinorVersionUpgrade", default=True),),  # only an explicit false is judged
    ),
    # --- types whose encryption other rule modules judge -----------------------------------------
    DataStore("aws:s3/bucket:Bucket", "S3 bucket",
              deletion_protection=(_disabled("forceDestroy", note="a delete empties the bucket"),)),
    DataStore("aws:s3/bucketV2:BucketV2", "S3 bucket",
              deletion_protection=(_disabled("forceDestroy", note="a delete empties the bucket"),)),
    DataStore("aws:s3/directoryBucket:DirectoryBucket", "S3 directory bucket",
              deletion_protection=(_disabled("forceDestroy", note="a delete empties the bucket"),)),
    DataStore("aws:kms/key:Key", "KMS key"),
    DataStore("aws:kms/replicaKey:ReplicaKey", "KMS replica key"),
    DataStore("aws:ecr/repository:Repository", "ECR repository",
              deletion_protection=(_disabled("forceDelete", note="a delete removes every image"),)),
    DataStore("aws:sagemaker/featureGroup:FeatureGroup", "SageMaker feature group"),
    DataStore("aws:sagemaker/modelPackageGroup:ModelPackageGroup", "SageMaker model package group"),
    DataStore("aws:sagemaker/domain:Domain", "SageMaker Studio domain"),
    DataStore("aws:sqs/queue:Queue", "SQS queue", stateful=False),
    DataStore("aws:sns/topic:Topic", "SNS topic", stateful=False),
)

#: pulumi-aws-native (AWS Cloud Control; CloudFormation resource shapes) types: the same controls, at the
#: camelCase of the CloudFormation property names. Names, defaults and valid values are the
#: pulumi-aws-native 1.84 Python SDK's (``pulumi_aws_native/<service>/<resource>.py`` and ``_inputs.py``,
#: whose docstrings are the AWS CloudFormation resource reference: AWS::RDS::DBInstance, AWS::RDS::DBCluster,
#: AWS::DynamoDB::Table, ...); ``tests/test_catalog_data_stores.py`` checks them against the installed SDK.
#: Aurora instances are DBInstances that name a dbClusterIdentifier: their storage, backups, deletion
#: protection and log exports are the cluster's ("Not applicable" in AWS::RDS::DBInstance), so those
#: settings are judged only for the engines of standalone instances.
_NATIVE_RDS_ENGINES = (("engine",), ("mariadb", "mysql", "postgres", "oracle-ee", "oracle-ee-cdb", "oracle-se2",
                                     "oracle-se2-cdb", "sqlserver-ee", "sqlserver-se", "sqlserver-ex",
                                     "sqlserver-web", "db2-ae", "db2-se", "custom-oracle-ee",
                                     "custom-oracle-ee-cdb", "custom-sqlserver-ee", "custom-sqlserver-se",
                                     "custom-sqlserver-web"))
#: AWS::RDS::DBCluster EnableIAMDatabaseAuthentication: "Valid for: Aurora DB clusters only".
_NATIVE_AURORA_ENGINES = (("engine",), ("aurora-mysql", "aurora-postgresql"))
_NATIVE_ATHENA = ("workGroupConfiguration", "resultConfiguration", "encryptionConfiguration")
NATIVE_DATA_STORES: tuple[DataStore, ...] = (
    DataStore(
        "aws-native:rds:DbInstance", "RDS DB instance", in_vpc=True,
        # StorageEncrypted: "By default, it isn't encrypted"; a read replica, a restored snapshot and an Aurora
        # instance take their encryption from the source (or cluster).
        encryption=(_enabled("storageEncrypted"),), keys=(("kmsKeyId",),),
        encryption_not_applicable_with=(("dbClusterIdentifier",), ("sourceDbInstanceIdentifier",),
                                        ("dbSnapshotIdentifier",)),
        private=(_disabled("publiclyAccessible", note="the instance gets a public DNS name and address"),),
        deletion_protection=(_enabled("deletionProtection", when=_NATIVE_RDS_ENGINES),),
        backup_days=Days(("backupRetentionPeriod",), 1, when=_NATIVE_RDS_ENGINES),  # "Default: 1"
        logging=(Setting(("enableCloudwatchLogsExports",), present=True, note="no logs are published",
                         when=_NATIVE_RDS_ENGINES),),
        patching=(_enabled("autoMinorVersionUpgrade", default=True),),
        iam_auth=(_enabled("enableIamDatabaseAuthentication", when=_IAM_AUTH_ENGINES),),
        keys_when=((_enabled("enablePerformanceInsights"), ("performanceInsightsKmsKeyId",)),),
    ),
    DataStore(
        "aws-native:rds:DbCluster", "RDS/Aurora DB cluster", in_vpc=True,
        encryption=(_enabled("storageEncrypted"),), keys=(("kmsKeyId",),),
        encryption_not_applicable_with=(("snapshotIdentifier",), ("sourceDbClusterIdentifier",)),
        private=(_disabled("publiclyAccessible", note="the cluster gets a public DNS name and address"),),
        deletion_protection=(_enabled("deletionProtection"),),
        backup_days=Days(("backupRetentionPeriod",), 1),  # "Default: 1"
        logging=(Setting(("enableCloudwatchLogsExports",), present=True, note="no logs are published"),
                 Setting(("enableCloudwatchLogsExports",), includes=("audit",),
                         when=(("engine",), ("aurora-mysql", "mysql")), note="no audit log is published")),
        iam_auth=(_enabled("enableIamDatabaseAuthentication", when=_NATIVE_AURORA_ENGINES),),
        keys_when=_PERFORMANCE_INSIGHTS_KEY,
    ),
    DataStore(
        "aws-native:dynamodb:Table", "DynamoDB table",
        # SSESpecification.SSEEnabled: "If disabled (false) or not specified, server-side encryption is set to
        # AWS owned key"; enabled without KMSMasterKeyId is the AWS-managed alias/aws/dynamodb.
        cmk=(_enabled("sseSpecification", "sseEnabled"),), keys=(("sseSpecification", "kmsMasterKeyId"),),
        deletion_protection=(_enabled("deletionProtectionEnabled"),),
        backup=(_enabled("pointInTimeRecoverySpecification", "pointInTimeRecoveryEnabled",
                         note="no point-in-time recovery"),),
    ),
    DataStore(
        "aws-native:efs:FileSystem", "EFS file system", in_vpc=True,
        encryption=(_enabled("encrypted"),), keys=(("kmsKeyId",),),
        # the inline BackupPolicy (AWS::EFS::FileSystem BackupPolicy.Status), judged where written, as pulumi-aws's
        backup=(Setting(("backupPolicy", "*", "status"), ok=("ENABLED", "ENABLING"),
                        note="automatic backups are turned off"),),
    ),
    DataStore(
        "aws-native:kinesis:Stream", "Kinesis data stream",
        encryption=(Setting(("streamEncryption", "encryptionType"), ok=("KMS",), default="NONE"),),
        keys=(("streamEncryption", "keyId"),),
    ),
    DataStore(
        "aws-native:opensearchservice:Domain", "OpenSearch domain", in_vpc=True,
        encryption=(_enabled("encryptionAtRestOptions", "enabled"),), keys=(("encryptionAtRestOptions", "kmsKeyId"),),
        private=(Setting(("vpcOptions", "subnetIds"), present=True,
                         note="the domain has a public endpoint (no vpcOptions)"),),
        in_transit=(_enabled("nodeToNodeEncryptionOptions", "enabled"),
                    _enabled("domainEndpointOptions", "enforceHttps"),  # absent: not enforced (the API default)
                    Setting(("domainEndpointOptions", "tlsSecurityPolicy"), bad=_OLD_TLS,
                            note="TLS 1.0 and 1.1 are allowed")),
    ),
    DataStore(
        "aws-native:elasticache:ReplicationGroup", "ElastiCache replication group", in_vpc=True,
        encryption=(Setting(("atRestEncryptionEnabled",), ok=TRUE, default=False,
                            default_by=(("engine",), {"valkey": True})),),
        keys=(("kmsKeyId",),),
        in_transit=(Setting(("transitEncryptionEnabled",), ok=TRUE, default=False),
                    Setting(("transitEncryptionMode",), bad=("preferred",), note="clients may still connect "
                            "without TLS")),
        backup_days=Days(("snapshotRetentionLimit",), 0),
        logging=(Setting(("logDeliveryConfigurations",), present=True, note="no logs are published"),),
        patching=(_enabled("autoMinorVersionUpgrade", default=True),),
    ),
    DataStore(
        "aws-native:dynamodb:GlobalTable", "DynamoDB global table",
        # SSESpecification (SSEEnabled, SSEType) is the table's; each replica names its key, point-in-time recovery
        # and deletion protection (AWS::DynamoDB::GlobalTable ReplicaSpecification).
        cmk=(_enabled("sseSpecification", "sseEnabled"),),
        keys=(("replicas", "*", "sseSpecification", "kmsMasterKeyId"),),
        deletion_protection=(_enabled("replicas", "*", "deletionProtectionEnabled"),),
        backup=(_enabled("replicas", "*", "pointInTimeRecoverySpecification", "pointInTimeRecoveryEnabled",
                         note="no point-in-time recovery"),),
    ),
    DataStore(
        "aws-native:neptune:DbCluster", "Neptune cluster", in_vpc=True,
        encryption=(_enabled("storageEncrypted"),), keys=(("kmsKeyId",),),
        encryption_not_applicable_with=(("snapshotIdentifier",), ("sourceDbClusterIdentifier",)),
        deletion_protection=(_enabled("deletionProtection"),),
        backup_days=Days(("backupRetentionPeriod",), 1),
        logging=(Setting(("enableCloudwatchLogsExports",), present=True, note="no logs are published"),),
        iam_auth=(_enabled("iamAuthEnabled"),),
    ),
    DataStore(
        "aws-native:msk:Cluster", "MSK cluster", in_vpc=True,
        keys=(("encryptionInfo", "encryptionAtRest", "dataVolumeKmsKeyId"),),  # always encrypted at rest
        private=(Setting(("brokerNodeGroupInfo", "connectivityInfo", "publicAccess", "type"), ok=("DISABLED",),
                         default="DISABLED", note="brokers are reachable from the internet"),),
        in_transit=(Setting(("encryptionInfo", "encryptionInTransit", "clientBroker"), ok=("TLS",), default="TLS"),
                    _enabled("encryptionInfo", "encryptionInTransit", "inCluster", default=True)),
        logging=(_BROKER_LOGS,),
    ),
    DataStore(
        "aws-native:elasticache:ServerlessCache", "ElastiCache Serverless cache", in_vpc=True,
        keys=(("kmsKeyId",),),  # always encrypted at rest and in transit
        backup_days=Days(("snapshotRetentionLimit",), 0),
    ),
    DataStore(
        "aws-native:ec2:Volume", "EBS volume",
        encryption=(_enabled("encrypted"),), keys=(("kmsKeyId",),),
    ),
    DataStore(
        "aws-native:backup:BackupVault", "Backup vault",
        keys=(("encryptionKeyArn",),),  # always encrypted; absent means aws/backup
    ),
    DataStore(
        "aws-native:cloudtrail:Trail", "CloudTrail trail", holds_data=False, stateful=False,
        keys=(("kmsKeyId",),),  # log files are SSE-S3 encrypted unless a key is set (CIS 3.5)
        logging=(_enabled("isLogging", default=True, note="the trail records nothing"),),  # IsLogging is required
    ),
    DataStore(
        "aws-native:redshift:Cluster", "Redshift cluster", in_vpc=True,
        # New clusters are encrypted by default since 2025 (AWS-owned key); the key input decides CMK.
        encryption=(_enabled("encrypted", default=True),), keys=(("kmsKeyId",),),
        private=(_disabled("publiclyAccessible", note="the cluster can be reached from a public network"),),
        backup_days=Days(("automatedSnapshotRetentionPeriod",), 1),
        patching=(_enabled("allowVersionUpgrade", default=True, note="engine upgrades are never applied"),),
    ),
    DataStore(
        "aws-native:kinesisfirehose:DeliveryStream", "Kinesis Data Firehose stream", holds_data=False, stateful=False,
        encryption=(Setting(("deliveryStreamEncryptionConfigurationInput",), present=True,
                            note="records are buffered unencrypted"),),
        cmk=(Setting(("deliveryStreamEncryptionConfigurationInput", "keyType"), ok=("CUSTOMER_MANAGED_CMK",),
                     default="AWS_OWNED_CMK"),),
        keys=(("deliveryStreamEncryptionConfigurationInput", "keyArn"),),
        encryption_not_applicable_with=(("kinesisStreamSourceConfiguration",), ("mskSourceConfiguration",)),
    ),
    DataStore(
        "aws-native:glue:SecurityConfiguration", "Glue security configuration", holds_data=False, stateful=False,
        # EncryptionConfiguration.S3Encryptions is a list (AWS::Glue::SecurityConfiguration).
        encryption=(Setting(("encryptionConfiguration", "s3Encryptions"), present=True,
                            note="job output in S3 is not encrypted"),
                    Setting(("encryptionConfiguration", "s3Encryptions", "*", "s3EncryptionMode"),
                            ok=("SSE-KMS", "SSE-S3"), default="DISABLED"),
                    Setting(("encryptionConfiguration", "cloudWatchEncryption", "cloudWatchEncryptionMode"),
                            ok=("SSE-KMS",), default="DISABLED"),
                    Setting(("encryptionConfiguration", "jobBookmarksEncryption", "jobBookmarksEncryptionMode"),
                            ok=("CSE-KMS",), default="DISABLED")),
        cmk=(Setting(("encryptionConfiguration", "s3Encryptions", "*", "s3EncryptionMode"), ok=("SSE-KMS",),
                     default="DISABLED"),),
        keys=(("encryptionConfiguration", "s3Encryptions", "*", "kmsKeyArn"),
              ("encryptionConfiguration", "cloudWatchEncryption", "kmsKeyArn"),
              ("encryptionConfiguration", "jobBookmarksEncryption", "kmsKeyArn")),
    ),
    DataStore(
        "aws-native:athena:WorkGroup", "Athena workgroup", holds_data=False, stateful=False,
        encryption=(Setting(_NATIVE_ATHENA + ("encryptionOption",), ok=("SSE_S3", "SSE_KMS", "CSE_KMS"),
                            note="query results are written unencrypted"),
                    _enabled("workGroupConfiguration", "enforceWorkGroupConfiguration", default=True,
                             note="clients may override the workgroup's encryption")),
        cmk=(Setting(_NATIVE_ATHENA + ("encryptionOption",), ok=("SSE_KMS", "CSE_KMS")),),
        keys=(_NATIVE_ATHENA + ("kmsKey",),),
    ),
    DataStore(
        "aws-native:codebuild:Project", "CodeBuild project", holds_data=False, stateful=False,
        encryption=(_disabled("artifacts", "encryptionDisabled", note="build artifacts are written unencrypted"),
                    _disabled("logsConfig", "s3Logs", "encryptionDisabled",
                              note="build logs are written to S3 unencrypted")),
        keys=(("encryptionKey",),),  # absent means the AWS-managed aws/s3 key
        # as pulumi-aws's row: CloudFormation's Visibility (pulumi-aws-native codebuild/project.py) and
        # Source.InsecureSsl
        private=(Setting(("visibility",), bad=("PUBLIC_READ",), default="PRIVATE",
                         note="anyone can read the project's build logs and artifacts"),),
        in_transit=(_disabled("source", "*", "insecureSsl", note="the source's TLS certificate is not verified"),
                    _disabled("secondarySources", "*", "insecureSsl",
                              note="a secondary source's TLS certificate is not verified")),
    ),
    DataStore(
        "aws-native:bedrock:Agent", "Bedrock agent", holds_data=False, stateful=False,
        keys=(("customerEncryptionKeyArn",),),
    ),
    # pulumi-aws-native's Bedrock and AgentCore resources: the same key inputs as pulumi-aws's rows above
    # (pulumi-aws-native 1.84 bedrock/*.py, bedrockagentcore/*.py).
    DataStore("aws-native:bedrock:Guardrail", "Bedrock guardrail", holds_data=False, stateful=False,
              keys=(("kmsKeyArn",),)),
    DataStore("aws-native:bedrock:Flow", "Bedrock flow", holds_data=False, stateful=False,
              keys=(("customerEncryptionKeyArn",),)),
    DataStore("aws-native:bedrock:Prompt", "Bedrock prompt", holds_data=False, stateful=False,
              keys=(("customerEncryptionKeyArn",),)),
    DataStore("aws-native:bedrock:DataSource", "Bedrock knowledge base data source", holds_data=False, stateful=False,
              keys=(("serverSideEncryptionConfiguration", "kmsKeyArn"),)),
    DataStore("aws-native:bedrockagentcore:Memory", "Bedrock AgentCore memory", keys=(("encryptionKeyArn",),)),
    DataStore("aws-native:bedrockagentcore:Gateway", "Bedrock AgentCore gateway", holds_data=False, stateful=False,
              keys=(("kmsKeyArn",),)),
    DataStore("aws-native:bedrockagentcore:PolicyEngine", "Bedrock AgentCore policy engine", holds_data=False,
              stateful=False, keys=(("encryptionKeyArn",),)),
    DataStore("aws-native:bedrockagentcore:Evaluator", "Bedrock AgentCore evaluator", holds_data=False, stateful=False,
              keys=(("kmsKeyArn",),)),
    DataStore(
        "aws-native:secretsmanager:Secret", "Secrets Manager secret",
        keys=(("kmsKeyId",),),  # always encrypted; absent means aws/secretsmanager
    ),
    # Types whose encryption other rule modules judge; AWS::S3::Bucket has no force-destroy (CloudFormation
    # cannot delete a bucket that holds objects), AWS::ECR::Repository's EmptyOnDelete is force-delete.
    DataStore("aws-native:s3:Bucket", "S3 bucket"),
    DataStore("aws-native:kms:Key", "KMS key"),
    DataStore("aws-native:ecr:Repository", "ECR repository",
              deletion_protection=(_disabled("emptyOnDelete", note="a delete removes every image"),)),
    DataStore("aws-native:sagemaker:FeatureGroup", "SageMaker feature group"),
    DataStore("aws-native:sagemaker:ModelPackageGroup", "SageMaker model package group"),
    DataStore("aws-native:sagemaker:Domain", "SageMaker Studio domain"),
    DataStore("aws-native:sqs:Queue", "SQS queue", stateful=False),
    DataStore("aws-native:sns:Topic", "SNS topic", stateful=False),
)
DATA_STORES = DATA_STORES + NATIVE_DATA_STORES

BY_TYPE: dict[str, DataStore] = {row.type: row for row in DATA_STORES}


def data_store(resource_type: str) -> Optional[DataStore]:
    """The table's row for a type token, or None."""
    return BY_TYPE.get(resource_type)


def types_with(control: str) -> tuple[str, ...]:
    """The type tokens whose rows have settings for ``control`` (a ``DataStore`` field name)."""
    return tuple(row.type for row in DATA_STORES if getattr(row, control))


#: Types that hold data: they need a data-classification tag.
HOLDS_DATA: frozenset[str] = frozenset(row.type for row in DATA_STORES if row.holds_data)
#: Types reached through a VPC.
IN_VPC: frozenset[str] = frozenset(row.type for row in DATA_STORES if row.in_vpc)
#: Types that lose data when deleted or replaced: protected in prod.
STATEFUL: frozenset[str] = frozenset(row.type for row in DATA_STORES if row.stateful and row.holds_data)
