"""The report's explanatory text: what each feature is, why it matters under UK GDPR, and
which guidance a DPO should read. Static data, shared by every format.

Legal statements are kept to what the law and the ICO's published guidance say; they are
pointers for the DPIA, not legal advice.
"""

from __future__ import annotations

from typing import Any

from models.features import FEATURES, REMOTE_ACCESS, SEVERITIES

ICO_VIDEO = ("https://ico.org.uk/for-organisations/uk-gdpr-guidance-and-resources/cctv-and-video-surveillance/"
             "guidance-on-video-surveillance-including-cctv/")
ICO_BIOMETRIC = "https://ico.org.uk/for-organisations/uk-gdpr-guidance-and-resources/guidance-on-biometric-data/"

_ARTICLE_9 = ("Used to identify or verify who someone is, this is special-category biometric data under UK GDPR "
              "Article 9: it needs an Article 6 lawful basis, an Article 9 condition (for public bodies usually "
              "substantial public interest under DPA 2018 Schedule 1, with an appropriate policy document) and a "
              "DPIA (Article 35).")
_CLASSIFY = ("It classifies people by their face or body rather than identifying them, but it still processes "
             "biometric characteristics, can be inaccurate or discriminatory, and must be necessary and fair "
             "(Article 5(1)(a) and (c)).")
_COUNTING = ("Usually kept as counts, which is lower risk, but the camera still analyses images of people: "
             "record the purpose in the DPIA and check that only aggregates are kept.")
_PERIMETER = ("Security analytics about objects entering or crossing areas; lower risk, but the alarms and clips "
              "they keep about people are personal data with a purpose and a retention period.")

WHY: dict[str, str] = {
    "face_detection": ("Finds faces without identifying anyone, but it is the first step of face capture and "
                       "recognition and often feeds them: check what it triggers and where the images go."),
    "face_capture": ("Every face crop is personal data, and a stored collection of faces can be searched or "
                     "matched later, which is what makes identification possible. " + _ARTICLE_9 +
                     " Retention and onward transfer (FTP, e-mail, cloud) must be justified."),
    "face_recognition": ("Identifying people by their faces. " + _ARTICLE_9 + " The ICO's opinion on live "
                         "facial recognition in public places sets a high bar of necessity and proportionality."),
    "face_library": ("A database of enrolled faces (staff, members, watch lists) is special-category biometric "
                     "data in itself: every entry needs a lawful basis, a reason to be kept, and accuracy checks."),
    "age_gender": _CLASSIFY,
    "face_attributes": _CLASSIFY,
    "mask_detection": _CLASSIFY,
    "emotion": ("Inferring emotions from faces. " + _CLASSIFY + " The ICO has warned that emotion analysis "
                "is immature and risks discrimination."),
    "body_attributes": ("Describing people by clothing, bags and posture lets them be followed from camera to "
                        "camera without their face: treat it as tracking of individuals in the DPIA."),
    "fight_detection": ("Automated judgement about people's behaviour; false alarms lead to interventions, so "
                        "accuracy and human review matter."),
    "people_counting": _COUNTING,
    "queue_detection": _COUNTING,
    "crowd_detection": _COUNTING,
    "heat_map": _COUNTING,
    "loitering": ("Flags individuals by how long they stay; it can lead to people being approached or excluded, "
                  "so fairness and human review matter."),
    "intrusion": _PERIMETER,
    "line_crossing": _PERIMETER,
    "region_entrance": _PERIMETER,
    "region_exiting": _PERIMETER,
    "unattended_object": "About objects rather than people; low risk on its own.",
    "object_removal": "About objects rather than people; low risk on its own.",
    "audio_detection": ("A microphone in use. The ICO's video surveillance guidance treats audio recording as "
                        "particularly intrusive: keep it off unless the DPIA justifies it."),
    "thermal_screening": ("A person's body temperature is data concerning health, special-category data under "
                          "Article 9. Screening installed for COVID-19 is often no longer needed."),
    "human_vehicle_filter": "Filters alarms by object type; low risk on its own.",
    "ppe_detection": ("Monitors whether workers follow safety rules: workplace monitoring, which the ICO lists "
                      "among processing likely to need a DPIA; tell staff about it."),
    "vehicle_recognition": ("Number plates identify vehicle keepers: ANPR is personal data, covered specifically by "
                            "the ICO's video surveillance guidance; retention and sharing need justification."),
    "motion_detection": "Starts recording on movement; not analytics about people as such.",
    "classroom_behaviour": ("Monitors pupils and teachers in class (students standing up, teacher behaviour): "
                            "systematic monitoring of children and staff, which needs a DPIA and a clear purpose."),
    "objects_thrown": "Watches building faces for falling or thrown objects; residents' windows and balconies are "
                      "in view, so placement and retention need care.",
    "rapid_movement": ("Flags people running or moving fast: behaviour analysis about individuals that can single "
                       "people out."),
    "parking_detection": "Flags stopping or parked vehicles; with ANPR or recording it relates to vehicle keepers.",
    "pir_detection": "A body-heat sensor that triggers recording or alarms; not analytics about people as such.",
    "tamper_detection": "Alarms when the camera is covered, blurred or moved; about the camera, not about people.",
    "fire_detection": "Flame, hot-spot or smoke alarms; safety analytics, not about people.",
    "temperature_measurement": ("Measures scene temperatures for equipment or fire prevention; if aimed at people "
                                "it becomes health data, so check what it watches."),
}

REMOTE_WHY: dict[str, str] = {
    "hik_connect": ("Video and control pass through the maker's cloud, possibly outside the UK (a restricted "
                    "transfer under UK GDPR Chapter V), and the device keeps an outbound connection open."),
    "isup": "The device registers with, and can be controlled by, a remote management platform.",
    "dahua_p2p": ("Video and control pass through the maker's P2P cloud, possibly outside the UK (Chapter V), "
                  "and the device keeps an outbound connection open."),
    "ddns": "Publishes the device's address on the internet so it can be found and attacked by name.",
    "upnp": "Lets the device open ports on the site's router without anyone approving it.",
    "ntp": "Sets the clock, which makes recordings usable as evidence; it sends no personal data.",
    "email": "Alarm e-mails often carry snapshots: personal data sent to whoever the mail server delivers to.",
    "ftp": "FTP uploads pictures or video, unencrypted, to a server that needs its own retention and security.",
    "auto_register": "The device registers with, and can be controlled by, a remote platform.",
}

GUIDANCE: list[dict[str, str]] = [
    {"title": "UK GDPR Article 9 and Article 4(14): biometric data",
     "text": ("Biometric data is personal data from technical processing of physical, physiological or behavioural "
              "characteristics that allows or confirms someone's unique identification, such as facial images. "
              "Processed for the purpose of uniquely identifying a person it is special-category data: processing "
              "is prohibited unless an Article 9(2) condition applies (for public bodies, usually substantial "
              "public interest under DPA 2018 Schedule 1, which needs an appropriate policy document).")},
    {"title": "UK GDPR Article 35: data protection impact assessment",
     "text": ("A DPIA is required for processing likely to result in a high risk, including special-category data, "
              "systematic monitoring of publicly accessible places on a large scale, and workplace monitoring. "
              "This report is evidence for the DPIA's description of the processing; it does not replace it.")},
    {"title": "UK GDPR Article 5(1)(c): data minimisation",
     "text": ("Analytics that are supported but not needed should stay off, and analytics that are on must be "
              "necessary for a stated purpose. Features switched on by default or by an installer count.")},
    {"title": "UK GDPR Chapter V: international transfers",
     "text": ("Vendor clouds (Hik-Connect, EZVIZ, Dahua P2P/Easy4IP) and unknown external destinations may send "
              "personal data outside the UK; each needs a transfer mechanism or must be switched off.")},
    {"title": "ICO: Video surveillance (including guidance for organisations using CCTV)",
     "text": ("The ICO's guidance for organisations using CCTV, ANPR, facial recognition and other surveillance: "
              "lawful basis, DPIA, transparency, retention, security and individuals' rights. " + ICO_VIDEO)},
    {"title": "ICO: Biometric data guidance (biometric recognition)",
     "text": ("When biometric data is special-category data, why explicit consent or another Article 9 condition "
              "is needed, and why a DPIA should come first. " + ICO_BIOMETRIC)},
    {"title": "ICO Commissioner's Opinion: live facial recognition in public places (2021)",
     "text": ("Sets out the high bar for live facial recognition: a specific purpose, necessity and "
              "proportionality, a DPIA, and an Article 9 condition.")},
    {"title": "Surveillance Camera Code of Practice (Home Office, 2021)",
     "text": ("Relevant authorities in England and Wales (local authorities and police) must have regard to its "
              "twelve guiding principles under the Protection of Freedoms Act 2012, section 33.")},
]

METHOD: list[str] = [
    "camaudit reads devices' settings over their own management interfaces (Hikvision ISAPI, Dahua CGI, ONVIF) "
    "with the credentials provided, and finds devices with discovery protocols (WS-Discovery, SADP, "
    "DHIP) and a TCP port sweep.",
    "It never changes a setting, never exploits a vulnerability (firmware findings are version checks), and "
    "makes at most one failed login per account per device per run so no account is locked out by the audit.",
    "Each analytics feature is reported as supported / enabled with three values: yes, no, or unknown. Unknown "
    "means the device would not tell us (no permission, no answer, an interface it does not offer); it is "
    "never counted as no.",
    "Who really made a device is decided from independent signals (which interface answers, login realm, HTTP "
    "server header, network card maker); a rebadged device is reported under its true maker.",
    "Passwords are never stored: the database and this report hold no credentials.",
]

SEVERITY_MEANING: dict[str, str] = {
    "critical": "Likely unlawful or seriously exposed now: act before the next review.",
    "high": "Special-category or high-risk processing, or a serious security gap: needs a DPIA decision.",
    "medium": "A risk to record and decide on.",
    "low": "Note it in the DPIA's description of the processing.",
    "info": "Context, e.g. what camaudit could not read.",
}


def build_appendix() -> dict[str, Any]:
    """All explanatory text, JSON-ready."""
    return {
        "method": list(METHOD),
        "features": [{"id": f.id, "label": f.label, "group": f.group, "biometric": f.biometric,
                      "meaning": f.meaning, "why": WHY[f.id]} for f in FEATURES],
        "remote_access": [{"id": rid, "label": label, "why": REMOTE_WHY[rid]} for rid, label in REMOTE_ACCESS.items()],
        "guidance": [dict(g) for g in GUIDANCE],
        "severities": [{"id": s, "meaning": SEVERITY_MEANING[s]} for s in SEVERITIES],
    }
