"""The part of the MITRE ATT&CK Enterprise matrix that CloudTrail can see: tactics and techniques of the IaaS and
Identity Provider platforms that apply to AWS, with their names, for ``wasp trail coverage``.

Technique and tactic names and ids are from MITRE ATT&CK(R) Enterprise v16 (https://attack.mitre.org/),
(c) The MITRE Corporation, reproduced under the ATT&CK Terms of Use. Only the few fields wasp shows are kept.
"""

from __future__ import annotations

ATTACK_VERSION = "16"

# ATT&CK tactic short name -> (tactic id, display name), in the matrix's order
TACTICS: dict[str, tuple[str, str]] = {
    "initial-access": ("TA0001", "Initial Access"),
    "execution": ("TA0002", "Execution"),
    "persistence": ("TA0003", "Persistence"),
    "privilege-escalation": ("TA0004", "Privilege Escalation"),
    "defense-evasion": ("TA0005", "Defense Evasion"),
    "credential-access": ("TA0006", "Credential Access"),
    "discovery": ("TA0007", "Discovery"),
    "lateral-movement": ("TA0008", "Lateral Movement"),
    "collection": ("TA0009", "Collection"),
    "exfiltration": ("TA0010", "Exfiltration"),
    "impact": ("TA0040", "Impact"),
}

_IA, _EX, _PE, _PR, _DE, _CA, _DI, _LM, _CO, _XF, _IM = TACTICS

# technique id -> (name, tactics it sits under)
TECHNIQUES: dict[str, tuple[str, tuple[str, ...]]] = {
    "T1190": ("Exploit Public-Facing Application", (_IA,)),
    "T1133": ("External Remote Services", (_IA, _PE)),
    "T1199": ("Trusted Relationship", (_IA,)),
    "T1078": ("Valid Accounts", (_IA, _PE, _PR, _DE)),
    "T1078.001": ("Default Accounts", (_IA, _PE, _PR, _DE)),
    "T1078.004": ("Cloud Accounts", (_IA, _PE, _PR, _DE)),
    "T1059": ("Command and Scripting Interpreter", (_EX,)),
    "T1059.009": ("Cloud API", (_EX,)),
    "T1204": ("User Execution", (_EX,)),
    "T1204.003": ("Malicious Image", (_EX,)),
    "T1648": ("Serverless Execution", (_EX,)),
    "T1651": ("Cloud Administration Command", (_EX,)),
    "T1098": ("Account Manipulation", (_PE, _PR)),
    "T1098.001": ("Additional Cloud Credentials", (_PE, _PR)),
    "T1098.003": ("Additional Cloud Roles", (_PE, _PR)),
    "T1098.004": ("SSH Authorized Keys", (_PE, _PR)),
    "T1136": ("Create Account", (_PE,)),
    "T1136.003": ("Cloud Account", (_PE,)),
    "T1525": ("Implant Internal Image", (_PE,)),
    "T1556": ("Modify Authentication Process", (_CA, _DE, _PE)),
    "T1556.006": ("Multi-Factor Authentication", (_CA, _DE, _PE)),
    "T1548": ("Abuse Elevation Control Mechanism", (_PR, _DE)),
    "T1548.005": ("Temporary Elevated Cloud Access", (_PR, _DE)),
    "T1484": ("Domain or Tenant Policy Modification", (_DE, _PR)),
    "T1484.002": ("Trust Modification", (_DE, _PR)),
    "T1562": ("Impair Defenses", (_DE,)),
    "T1562.001": ("Disable or Modify Tools", (_DE,)),
    "T1562.007": ("Disable or Modify Cloud Firewall", (_DE,)),
    "T1562.008": ("Disable or Modify Cloud Logs", (_DE,)),
    "T1578": ("Modify Cloud Compute Infrastructure", (_DE,)),
    "T1578.001": ("Create Snapshot", (_DE,)),
    "T1578.002": ("Create Cloud Instance", (_DE,)),
    "T1578.003": ("Delete Cloud Instance", (_DE,)),
    "T1578.004": ("Revert Cloud Instance", (_DE,)),
    "T1578.005": ("Modify Cloud Compute Configurations", (_DE,)),
    "T1535": ("Unused/Unsupported Cloud Regions", (_DE,)),
    "T1550": ("Use Alternate Authentication Material", (_DE, _LM)),
    "T1550.001": ("Application Access Token", (_DE, _LM)),
    "T1666": ("Modify Cloud Resource Hierarchy", (_DE,)),
    "T1110": ("Brute Force", (_CA,)),
    "T1110.001": ("Password Guessing", (_CA,)),
    "T1110.003": ("Password Spraying", (_CA,)),
    "T1110.004": ("Credential Stuffing", (_CA,)),
    "T1552": ("Unsecured Credentials", (_CA,)),
    "T1552.001": ("Credentials In Files", (_CA,)),
    "T1552.005": ("Cloud Instance Metadata API", (_CA,)),
    "T1555": ("Credentials from Password Stores", (_CA,)),
    "T1555.006": ("Cloud Secrets Management Stores", (_CA,)),
    "T1528": ("Steal Application Access Token", (_CA,)),
    "T1606": ("Forge Web Credentials", (_CA,)),
    "T1606.002": ("SAML Tokens", (_CA,)),
    "T1621": ("Multi-Factor Authentication Request Generation", (_CA,)),
    "T1040": ("Network Sniffing", (_CA, _DI)),
    "T1087": ("Account Discovery", (_DI,)),
    "T1087.004": ("Cloud Account", (_DI,)),
    "T1069": ("Permission Groups Discovery", (_DI,)),
    "T1069.003": ("Cloud Groups", (_DI,)),
    "T1580": ("Cloud Infrastructure Discovery", (_DI,)),
    "T1538": ("Cloud Service Dashboard", (_DI,)),
    "T1526": ("Cloud Service Discovery", (_DI,)),
    "T1619": ("Cloud Storage Object Discovery", (_DI,)),
    "T1201": ("Password Policy Discovery", (_DI,)),
    "T1046": ("Network Service Discovery", (_DI,)),
    "T1654": ("Log Enumeration", (_DI,)),
    "T1021": ("Remote Services", (_LM,)),
    "T1021.007": ("Cloud Services", (_LM,)),
    "T1021.008": ("Direct Cloud VM Connections", (_LM,)),
    "T1530": ("Data from Cloud Storage", (_CO,)),
    "T1119": ("Automated Collection", (_CO,)),
    "T1074": ("Data Staged", (_CO,)),
    "T1074.002": ("Remote Data Staging", (_CO,)),
    "T1537": ("Transfer Data to Cloud Account", (_XF,)),
    "T1485": ("Data Destruction", (_IM,)),
    "T1485.001": ("Lifecycle-Triggered Deletion", (_IM,)),
    "T1486": ("Data Encrypted for Impact", (_IM,)),
    "T1490": ("Inhibit System Recovery", (_IM,)),
    "T1496": ("Resource Hijacking", (_IM,)),
    "T1496.001": ("Compute Hijacking", (_IM,)),
    "T1496.004": ("Cloud Service Hijacking", (_IM,)),
    "T1531": ("Account Access Removal", (_IM,)),
    "T1657": ("Financial Theft", (_IM,)),
    "T1491": ("Defacement", (_IM,)),
    "T1491.002": ("External Defacement", (_IM,)),
}


def parent(technique: str) -> str:
    return technique.split(".")[0]
