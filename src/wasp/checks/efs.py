"""EFS checks that need other resources: AWS Backup plans selecting a file system (EFS.2) and the subnets its
mount targets sit in (EFS.6). Property-only EFS checks are rules (checks/rules/efs.yaml)."""

from __future__ import annotations

from wasp.checks.context import Context
from wasp.checks.data import _selection_matches, _tags_unknown
from wasp.checks.registry import check
from wasp.model import Area, Remediation, Resource, Result, Severity, is_unknown

EFS = "AWS::EFS::FileSystem"


def _same_place(resource: Resource, other: Resource) -> bool:
    """Both in one account and region (either side unknown counts as a match, as templates leave them empty)."""
    return ((not resource.account or not other.account or resource.account == other.account)
            and (not resource.region or not other.region or resource.region == other.region))


@check(id="efs_file_system_in_backup_plan", title="EFS file system is selected by an AWS Backup plan",
       area=Area.DATA, severity=Severity.MEDIUM, resource=EFS, best_practices=["SEC10-BP03", "SEC08-BP03"],
       fsbp=["EFS.2"], task="backup", sources=("live", "snapshot"),
       uses=["AWS::Backup::BackupPlan", "AWS::Backup::BackupSelection"],
       remediation=Remediation(
           text="Assign the file system to an AWS Backup plan (by ARN or by a tag the plan selects), or turn on EFS "
                "automatic backups, which use AWS Backup's default EFS plan.",
           cli="aws backup create-backup-selection --backup-plan-id PLAN --backup-selection "
               "'SelectionName=efs,IamRoleArn=ROLE,Resources=[arn:aws:elasticfilesystem:REGION:ACCOUNT:file-system/FS]'",
           url="https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html"))
def efs_in_backup_plan(fs: Resource, ctx: Context) -> Result:
    """A file system no backup plan selects has no recovery point after a deletion, a ransomware encryption or a
    bad sync. As AWS's control (efs-in-backup-plan), any plan selecting it passes; the plan's schedule and
    retention are not judged here."""
    plans = [p for p in ctx.of_type("AWS::Backup::BackupPlan") if _same_place(fs, p)]
    unreadable = [p for p in plans if is_unknown(p.prop("SelectionIds"))]
    names = {p.id: p.name or p.id for p in plans}
    undecided: str = ""
    for sel in ctx.of_type("AWS::Backup::BackupSelection"):
        plan_id = sel.prop("BackupPlanId")
        if plan_id not in names:
            continue
        body = sel.prop("BackupSelection")
        if is_unknown(body):
            undecided = undecided or f"selection {sel.name or sel.id} of plan {names[plan_id]}: {body.reason}"
            continue
        if _selection_matches(body or {}, fs):
            return Result.passed(f"selected by backup plan {names[plan_id]} ({sel.name or sel.id})")
        by_tag = bool((body or {}).get("ListOfTags") or (body or {}).get("Conditions"))
        hidden = _tags_unknown(fs)
        if by_tag and hidden is not None:
            undecided = undecided or (f"plan {names[plan_id]} selects by tag and the file system's tags are "
                                      f"unreadable: {hidden.reason}")
    if unreadable:
        first = unreadable[0]
        return Result.unknown(f"the selections of backup plan {first.name or first.id} could not be listed: "
                              f"{first.prop('SelectionIds').reason}")
    if undecided:
        return Result.unknown(undecided)
    if not plans:
        return Result.failed("no AWS Backup plan in this region")
    return Result.failed(f"none of the {len(plans)} AWS Backup plan(s) in this region selects the file system")


@check(id="efs_mount_targets_not_in_public_subnets",
       title="EFS mount targets are not in subnets that assign public IP addresses",
       area=Area.INFRASTRUCTURE, severity=Severity.MEDIUM, resource=EFS,
       best_practices=["SEC05-BP01", "SEC05-BP02"], fsbp=["EFS.6"], task="network", sources=("live", "snapshot"),
       uses=["AWS::EFS::MountTarget", "AWS::EC2::Subnet"],
       remediation=Remediation(
           text="Create mount targets in private subnets (MapPublicIpOnLaunch false), move clients to them, then "
                "delete the mount targets in public subnets.",
           cli="aws efs create-mount-target --file-system-id FS --subnet-id PRIVATE_SUBNET --security-groups SG",
           url="https://docs.aws.amazon.com/efs/latest/ug/accessing-fs.html"))
def efs_mount_targets_private(fs: Resource, ctx: Context) -> Result:
    """A mount target in a subnet that assigns public IPv4 addresses on launch gets one on its network interface,
    so the NFS endpoint sits one security group rule away from the internet. As AWS's control, the subnet
    attribute is judged, not its route table."""
    targets = [m for m in ctx.of_type("AWS::EFS::MountTarget") if m.prop("FileSystemId") == fs.id
               and _same_place(fs, m)]
    if not targets:
        count, listed = fs.observed.get("NumberOfMountTargets"), fs.observed.get("MountTargets")
        if is_unknown(listed):
            return Result.unknown(f"the mount targets could not be listed: {listed.reason}")
        if count:
            return Result.unknown(f"the file system has {count} mount target(s) but none was collected")
        return Result.passed("no mount target")
    subnets = {s.id: s for s in ctx.of_type("AWS::EC2::Subnet") if _same_place(fs, s)}
    public: list[str] = []
    unknown: list[str] = []
    for target in targets:
        sid = target.prop("SubnetId")
        subnet = subnets.get(str(sid))
        flag = subnet.prop("MapPublicIpOnLaunch") if subnet is not None else None
        if subnet is None or is_unknown(flag):
            why = flag.reason if is_unknown(flag) else "not among the subnets collected (shared VPC?)"
            unknown.append(f"{target.id}: subnet {sid} {why}")
        elif flag:
            public.append(f"{target.id} in {sid}")
    if public:
        return Result.failed(f"mount target(s) in subnets with MapPublicIpOnLaunch: {', '.join(public)}")
    if unknown:
        return Result.unknown("; ".join(unknown))
    return Result.passed(f"{len(targets)} mount target(s), none in a subnet that assigns public IPs")
