"""The breadth account: the services added for FSBP coverage, seeded beside the base account (``--breadth``).

N/10 (at least one) of each: RDS instances and Aurora clusters, DynamoDB tables, SQS queues, KMS keys,
Secrets Manager secrets, Lambda functions, ECR repositories, ECS clusters with a task definition and a
service, ELBv2 load balancers, API Gateway REST APIs with a stage, EFS file systems, ElastiCache
replication groups, Redshift clusters, OpenSearch domains, Kinesis streams, Firehose delivery streams,
Step Functions state machines, Cognito user pools, SageMaker notebook instances, WAFv2 web ACLs,
Auto Scaling groups, Glue jobs, Neptune clusters (moto serves no DocumentDB engine and no Athena
workgroups on its server). Half of each kind is hardened and half is not, so both
tools find work on both sides.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

ROLE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com",
                                                 "ecs-tasks.amazonaws.com", "glue.amazonaws.com",
                                                 "sagemaker.amazonaws.com", "eks.amazonaws.com",
                                                 "firehose.amazonaws.com"]},
     "Action": "sts:AssumeRole"}]})


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buf.getvalue()


def seed_breadth(c: Callable[[str], Any], n: int, account: str, region: str, bucket: str) -> dict[str, int]:
    """Seed the breadth services through ``c(service)`` (a boto3 client factory); returns counts per kind."""
    k = max(1, n // 10)
    role = c("iam").create_role(RoleName="bench-breadth", AssumeRolePolicyDocument=ROLE_POLICY)["Role"]["Arn"]
    ec2 = c("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.1.{i}.0/24", AvailabilityZone=f"{region}{z}")["Subnet"]
               ["SubnetId"] for i, z in ((1, "a"), (2, "b"))]
    sg = ec2.create_security_group(GroupName="bench-breadth", Description="breadth", VpcId=vpc)["GroupId"]
    kms = c("kms")
    keys = [kms.create_key(Description=f"bench-{i}")["KeyMetadata"]["Arn"] for i in range(k)]
    for i, key in enumerate(keys):
        if i % 2 == 0:
            kms.enable_key_rotation(KeyId=key)
    rds = c("rds")
    for i in range(k):
        hard = i % 2 == 0
        tags = [{"Key": "DataClassification", "Value": "confidential"}] if hard else []
        rds.create_db_instance(DBInstanceIdentifier=f"bench-db-{i}", DBInstanceClass="db.t3.micro",
                               Engine="postgres", MasterUsername="bench", MasterUserPassword="bench-password-1",
                               AllocatedStorage=20, StorageEncrypted=hard, PubliclyAccessible=not hard,
                               BackupRetentionPeriod=7 if hard else 0, DeletionProtection=hard, Tags=tags)
        rds.create_db_cluster(DBClusterIdentifier=f"bench-aurora-{i}", Engine="aurora-postgresql",
                              MasterUsername="bench", MasterUserPassword="bench-password-1", StorageEncrypted=hard)
        c("neptune").create_db_cluster(DBClusterIdentifier=f"bench-neptune-{i}", Engine="neptune",
                                       StorageEncrypted=hard)
    ddb = c("dynamodb")
    for i in range(k):
        ddb.create_table(TableName=f"bench-table-{i}", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    sqs, secrets = c("sqs"), c("secretsmanager")
    for i in range(k):
        sqs.create_queue(QueueName=f"bench-queue-{i}", Attributes={"KmsMasterKeyId": keys[0]} if i % 2 == 0 else {})
        secrets.create_secret(Name=f"bench/secret-{i}", SecretString="not-a-secret")
    lam = c("lambda")
    code = _zip()
    for i in range(k):
        lam.create_function(FunctionName=f"bench-fn-{i}", Runtime="python3.12" if i % 2 == 0 else "python3.7",
                            Role=role, Handler="index.handler", Code={"ZipFile": code})
    ecr, ecs = c("ecr"), c("ecs")
    for i in range(k):
        ecr.create_repository(repositoryName=f"bench-repo-{i}",
                              imageScanningConfiguration={"scanOnPush": i % 2 == 0},
                              imageTagMutability="IMMUTABLE" if i % 2 == 0 else "MUTABLE")
        ecs.create_cluster(clusterName=f"bench-cluster-{i}")
        ecs.register_task_definition(family=f"bench-task-{i}", networkMode="awsvpc", containerDefinitions=[{
            "name": "app", "image": "nginx", "memory": 128, "privileged": i % 2 == 1,
            "readonlyRootFilesystem": i % 2 == 0}])
        ecs.create_service(cluster=f"bench-cluster-{i}", serviceName="app", taskDefinition=f"bench-task-{i}",
                           desiredCount=0)
    elb = c("elbv2")
    for i in range(k):
        elb.create_load_balancer(Name=f"bench-alb-{i}", Subnets=subnets, SecurityGroups=[sg], Type="application")
    apigw = c("apigateway")
    for i in range(k):
        api = apigw.create_rest_api(name=f"bench-api-{i}")["id"]
        root = apigw.get_resources(restApiId=api)["items"][0]["id"]
        apigw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
        apigw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
        dep = apigw.create_deployment(restApiId=api)["id"]
        apigw.create_stage(restApiId=api, stageName="prod", deploymentId=dep)
    efs, cache, redshift, search = c("efs"), c("elasticache"), c("redshift"), c("opensearch")
    for i in range(k):
        efs.create_file_system(CreationToken=f"bench-fs-{i}", Encrypted=i % 2 == 0)
        cache.create_replication_group(ReplicationGroupId=f"bench-cache-{i}", ReplicationGroupDescription="bench",
                                       Engine="redis", CacheNodeType="cache.t3.micro", NumCacheClusters=1,
                                       TransitEncryptionEnabled=i % 2 == 0, AtRestEncryptionEnabled=i % 2 == 0)
        redshift.create_cluster(ClusterIdentifier=f"bench-wh-{i}", NodeType="dc2.large", MasterUsername="bench",
                                MasterUserPassword="Bench-password-1", ClusterType="single-node",
                                Encrypted=i % 2 == 0, PubliclyAccessible=i % 2 == 1)
        search.create_domain(DomainName=f"bench-search-{i}", EncryptionAtRestOptions={"Enabled": i % 2 == 0},
                             NodeToNodeEncryptionOptions={"Enabled": i % 2 == 0})
    kinesis, firehose = c("kinesis"), c("firehose")
    for i in range(k):
        kinesis.create_stream(StreamName=f"bench-stream-{i}", ShardCount=1)
        firehose.create_delivery_stream(DeliveryStreamName=f"bench-fh-{i}", ExtendedS3DestinationConfiguration={
            "RoleARN": role, "BucketARN": f"arn:aws:s3:::{bucket}"})
    sfn, cognito, sm = c("stepfunctions"), c("cognito-idp"), c("sagemaker")
    definition = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})
    for i in range(k):
        sfn.create_state_machine(name=f"bench-sm-{i}", definition=definition, roleArn=role)
        cognito.create_user_pool(PoolName=f"bench-pool-{i}")
        sm.create_notebook_instance(NotebookInstanceName=f"bench-nb-{i}", InstanceType="ml.t3.medium", RoleArn=role,
                                    DirectInternetAccess="Disabled" if i % 2 == 0 else "Enabled")
    wafv2 = c("wafv2")
    for i in range(k):
        wafv2.create_web_acl(Name=f"bench-acl-{i}", Scope="REGIONAL", DefaultAction={"Allow": {}}, Rules=[],
                             VisibilityConfig={"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True,
                                               "MetricName": f"bench-acl-{i}"})
    asg = c("autoscaling")
    for i in range(k):
        asg.create_launch_configuration(LaunchConfigurationName=f"bench-lc-{i}", ImageId="ami-12c6146b",
                                        InstanceType="t3.micro")
        asg.create_auto_scaling_group(AutoScalingGroupName=f"bench-asg-{i}", LaunchConfigurationName=f"bench-lc-{i}",
                                      MinSize=0, MaxSize=1, VPCZoneIdentifier=subnets[0])
    glue = c("glue")
    for i in range(k):
        glue.create_job(Name=f"bench-job-{i}", Role=role, Command={"Name": "glueetl", "ScriptLocation": "s3://x/y.py"})
    return {"rds_instances": k, "aurora_clusters": k, "neptune_clusters": k, "tables": k,
            "queues": k, "secrets": k, "functions": k, "repositories": k, "ecs_clusters": k, "load_balancers": k,
            "rest_apis": k, "file_systems": k, "cache_groups": k, "warehouses": k, "search_domains": k,
            "streams": k, "delivery_streams": k, "state_machines": k, "user_pools": k, "notebooks": k,
            "web_acls": k, "autoscaling_groups": k, "glue_jobs": k, "kms_keys": k}
