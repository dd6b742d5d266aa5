"""A checker for xAPI 1.0.3 statements, written from the specification, not from our output.

Source: xAPI 1.0.3, Part Two "Experience API (xAPI) Data" (github.com/adlnet/xAPI-Spec,
tag 1.0.3, xAPI-Data.md). Section numbers below refer to it. The checker covers the
statement rules an LRS applies when it receives a statement (the LRS-side "MUST reject"
rules and the data types), plus two stricter rules the project asks for, marked
"(project)": a timezone on every timestamp (the spec says SHOULD*, 4.5.s1.b4) and a
`display` on every verb (the spec says SHOULD, 2.4.3.s5.b1).

`problems(statement)` returns a list of messages, empty when the statement passes.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

# 2.4 s1 table 1: the properties of a Statement.
STATEMENT_KEYS = {
    "id", "actor", "verb", "object", "result", "context", "timestamp", "stored",
    "authority", "version", "attachments",
}  # fmt: skip
# 2.4.4.3 s8.b3: a SubStatement MUST NOT have these.
SUBSTATEMENT_FORBIDDEN = {"id", "stored", "version", "authority"}
# 2.4.2.3 s3 table 1: the four Inverse Functional Identifiers.
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
AGENT_KEYS = {"objectType", "name", *IFIS}
GROUP_KEYS = {"objectType", "name", "member", *IFIS}
ACCOUNT_KEYS = {"homePage", "name"}  # 2.4.2.4 s2 table 1, both Required
VERB_KEYS = {"id", "display"}  # 2.4.3 s3 table 1
ACTIVITY_KEYS = {"objectType", "id", "definition"}  # 2.4.4.1 s1 table 1
# 2.4.4.1 s2 table 1 plus the interaction properties of s8 table 1.
DEFINITION_KEYS = {
    "name", "description", "type", "moreInfo", "extensions", "interactionType",
    "correctResponsesPattern", "choices", "scale", "source", "target", "steps",
}  # fmt: skip
# 2.4.4.1 s8 table 1: the possible interactionType values.
INTERACTION_TYPES = {
    "true-false", "choice", "fill-in", "long-fill-in", "matching", "performance",
    "sequencing", "likert", "numeric", "other",
}  # fmt: skip
# 2.4.4.1 s15 table 2: which component lists each interactionType supports.
COMPONENT_LISTS = {
    "choice": {"choices"}, "sequencing": {"choices"}, "likert": {"scale"},
    "matching": {"source", "target"}, "performance": {"steps"},
}  # fmt: skip
ALL_COMPONENT_LISTS = {"choices", "scale", "source", "target", "steps"}
COMPONENT_KEYS = {"id", "description"}  # 2.4.4.1 s15 table 1
RESULT_KEYS = {"score", "success", "completion", "response", "duration", "extensions"}
SCORE_KEYS = {"scaled", "raw", "min", "max"}  # 2.4.5.1 s2 table 1
# 2.4.6 s3 table 1.
CONTEXT_KEYS = {
    "registration", "instructor", "team", "contextActivities", "revision", "platform",
    "language", "statement", "extensions",
}  # fmt: skip
CONTEXT_ACTIVITY_KEYS = {"parent", "grouping", "category", "other"}  # 2.4.6.2 s4.b1

# 4.4 / 2.4.1: a UUID "MUST be in the standard string form" (8-4-4-4-12 hex digits).
# The RFC 4122 variant is only recommended (4.4), and the spec's own example id
# 12345678-1234-5678-1234-567812345678 is not of it, so the variant is not checked.
UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
# An absolute IRI (RFC 3987): a scheme (RFC 3986 3.1), ":", then a non-empty part with
# no whitespace or characters IRIs exclude. "IRI fragments (relative IRLs) are not valid
# IRIs" (2.4.4.1 s2 note).
IRI_RE = re.compile(r'^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>"{}|\\^`]+$')
# RFC 5646 language tag, well-formed shape (language-script-region-variants...).
LANG_RE = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
# 4.6: ISO 8601:2004 4.4.3.2 duration PnYnMnDTnHnMnS (lowest component may carry a
# decimal fraction) or PnW; the alternative format (4.4.3.3, PYYYY-MM-...) MUST NOT be
# used. (The spec's example "P16559.14S" lacks the T that 4.4.3.2 requires for seconds:
# a known erratum, not followed here.)
_NUM = r"\d+(?:[.,]\d+)?"
DURATION_RE = re.compile(
    rf"^P(?:(?:(?P<y>{_NUM})Y)?(?:(?P<mo>{_NUM})M)?(?:(?P<d>{_NUM})D)?"
    rf"(?:T(?:(?P<h>{_NUM})H)?(?:(?P<mi>{_NUM})M)?(?:(?P<s>{_NUM})S)?)?|(?P<w>{_NUM})W)$"
)
# 4.5: ISO 8601 combined date and time (4.5.s1.b1), in the extended format (RFC 3339's
# profile, SHOULD*) or the basic one, with a timezone designator (project: required;
# the spec's SHOULD*, 4.5.s1.b4). Seconds are optional in ISO 8601; any fraction sits on
# the smallest unit given.
_FRACTION = r"(?:[.,]\d+)?"
TIMESTAMP_EXTENDED_RE = re.compile(
    rf"^(?P<Y>\d{{4}})-(?P<M>\d{{2}})-(?P<D>\d{{2}})T(?P<h>\d{{2}}):(?P<m>\d{{2}})"
    rf"(?::(?P<s>\d{{2}}){_FRACTION})?(?P<tz>Z|[+-]\d{{2}}(?::\d{{2}})?)?$"
)
TIMESTAMP_BASIC_RE = re.compile(
    rf"^(?P<Y>\d{{4}})(?P<M>\d{{2}})(?P<D>\d{{2}})T(?P<h>\d{{2}})(?P<m>\d{{2}})"
    rf"(?:(?P<s>\d{{2}}){_FRACTION})?(?P<tz>Z|[+-]\d{{2}}(?:\d{{2}})?)?$"
)
VERSION_RE = re.compile(r"^1\.0\.\d+$")  # 2.4.10 s3.b1/b2: version starts with "1.0."
MBOX_RE = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")  # 2.4.2.3: "mailto:email address"
SHA1_RE = re.compile(r"^[0-9a-fA-F]{40}$")


def is_iri(value: Any) -> bool:
    """An absolute IRI."""
    return isinstance(value, str) and bool(IRI_RE.match(value))


def is_irl(value: Any) -> bool:
    """An IRL: an IRI that can be resolved, i.e. an http(s) URL with a host."""
    return is_iri(value) and bool(re.match(r"^https?://[^/\s?#]+", value, re.IGNORECASE))


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(UUID_RE.match(value))


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def duration_problem(value: Any) -> str | None:
    """Why `value` is not an ISO 8601 duration, or None."""
    if not isinstance(value, str):
        return "duration must be a string"
    match = DURATION_RE.match(value)
    if not match:
        return f"duration {value!r} is not ISO 8601 (PnYnMnDTnHnMnS or PnW)"
    parts = {k: v for k, v in match.groupdict().items() if v is not None}
    if not parts:
        return f"duration {value!r} has no components"
    if "T" in value and not any(parts.get(k) for k in ("h", "mi", "s")):
        return f"duration {value!r} has a T but no time components"
    order = ["y", "mo", "d", "h", "mi", "s"]
    present = [k for k in order if k in parts]
    # Only the lowest-order component given may have a decimal fraction.
    for key in present[:-1]:
        if re.search(r"[.,]", parts[key]):
            return f"duration {value!r}: only the smallest component may have a fraction"
    return None


def timestamp_problem(value: Any) -> str | None:
    """Why `value` is not an ISO 8601 date and time with a timezone, or None."""
    if not isinstance(value, str):
        return "timestamp must be a string"
    match = TIMESTAMP_EXTENDED_RE.match(value) or TIMESTAMP_BASIC_RE.match(value)
    if not match:
        return f"timestamp {value!r} is not an ISO 8601 combined date and time"
    if match["tz"] is None:
        return f"timestamp {value!r} has no timezone (project: required)"
    if match["tz"] in ("-00:00", "-0000", "-00"):
        return f"timestamp {value!r}: -00:00 means 'offset unknown' (RFC 3339 4.3)"
    offset = match["tz"].replace(":", "")
    if offset != "Z" and (int(offset[1:3]) > 23 or int(offset[3:5] or 0) > 59):
        return f"timestamp {value!r} has an impossible offset"
    try:
        # A leap second (60) is valid ISO 8601; datetime cannot hold it, so check 59.
        second = min(int(match["s"] or 0), 59) if int(match["s"] or 0) <= 60 else 99
        datetime(
            int(match["Y"]), int(match["M"]), int(match["D"]),
            int(match["h"]), int(match["m"]), second,
        )  # fmt: skip
    except ValueError:
        return f"timestamp {value!r} is not a real date and time"
    return None


class _Checker:
    def __init__(self) -> None:
        self.found: list[str] = []

    def bad(self, where: str, message: str) -> None:
        self.found.append(f"{where}: {message}")

    def keys(self, where: str, value: dict[str, Any], allowed: set[str]) -> None:
        extra = sorted(set(value) - allowed)
        if extra:
            self.bad(where, f"unknown properties {extra}")

    def object_(self, where: str, value: Any) -> bool:
        if not isinstance(value, dict):
            self.bad(where, "must be a JSON object")
            return False
        return True

    def language_map(self, where: str, value: Any) -> None:
        # 4.2: keys are RFC 5646 tags, values strings.
        if not self.object_(where, value):
            return
        for tag, text in value.items():
            if not LANG_RE.match(tag):
                self.bad(where, f"{tag!r} is not an RFC 5646 language tag")
            if not isinstance(text, str):
                self.bad(where, f"value for {tag!r} must be a string")

    def extensions(self, where: str, value: Any) -> None:
        # 4.1 s3.b1: the keys of an extensions map MUST be IRIs.
        if not self.object_(where, value):
            return
        for key in value:
            if not is_iri(key):
                self.bad(where, f"extension key {key!r} is not an IRI")

    # --------------------------------------------------------------- agents and groups

    def agent(self, where: str, value: Any, *, as_object: bool = False) -> None:
        if not self.object_(where, value):
            return
        kind = value.get("objectType", "Agent")
        if as_object and "objectType" not in value:
            # 2.4.4.2 s1.b1: an Agent or Group as Object MUST specify objectType.
            self.bad(where, "an Agent or Group used as the object needs objectType")
        if kind == "Group":
            self.group(where, value)
            return
        if kind != "Agent":
            self.bad(where, f"objectType must be Agent or Group, not {kind!r}")
            return
        self.keys(where, value, AGENT_KEYS)
        self.ifis(where, value, required=True)
        if "name" in value and not isinstance(value["name"], str):
            self.bad(where, "name must be a string")

    def group(self, where: str, value: dict[str, Any]) -> None:
        self.keys(where, value, GROUP_KEYS)
        identified = any(key in value for key in IFIS)
        if identified:
            self.ifis(where, value, required=True)  # 2.4.2.2 s5.b1
        elif "member" not in value:
            self.bad(where, "an anonymous Group must list its member Agents")  # s4.b1
        members = value.get("member", [])
        if not isinstance(members, list):
            self.bad(where, "member must be an array of Agents")
            return
        for i, member in enumerate(members):
            if isinstance(member, dict) and member.get("objectType") == "Group":
                self.bad(f"{where}.member[{i}]", "a Group cannot contain Groups")
            else:
                self.agent(f"{where}.member[{i}]", member)

    def ifis(self, where: str, value: dict[str, Any], *, required: bool) -> None:
        # 2.4.2.1 s2.b1/b2: exactly one Inverse Functional Identifier.
        present = [key for key in IFIS if key in value]
        if required and not present:
            self.bad(where, "needs an Inverse Functional Identifier (mbox, ..., account)")
        if len(present) > 1:
            self.bad(where, f"has more than one Inverse Functional Identifier {present}")
        if "mbox" in value and not (
            isinstance(value["mbox"], str) and MBOX_RE.match(value["mbox"])
        ):
            self.bad(where, "mbox must be a 'mailto:' IRI")
        if "mbox_sha1sum" in value and not (
            isinstance(value["mbox_sha1sum"], str) and SHA1_RE.match(value["mbox_sha1sum"])
        ):
            self.bad(where, "mbox_sha1sum must be 40 hex digits")
        if "openid" in value and not is_iri(value["openid"]):
            self.bad(where, "openid must be a URI")
        if "account" in value:
            account = value["account"]
            if self.object_(f"{where}.account", account):
                self.keys(f"{where}.account", account, ACCOUNT_KEYS)
                if not is_irl(account.get("homePage")):
                    self.bad(f"{where}.account", "homePage is required and must be an IRL")
                if not isinstance(account.get("name"), str) or not account.get("name"):
                    self.bad(f"{where}.account", "name is required and must be a string")

    # --------------------------------------------------------------- verb

    def verb(self, where: str, value: Any) -> None:
        if not self.object_(where, value):
            return
        self.keys(where, value, VERB_KEYS)
        if not is_iri(value.get("id")):
            self.bad(where, f"id must be an absolute IRI, not {value.get('id')!r}")
        if "display" not in value:
            self.bad(where, "display is missing (project; SHOULD in 2.4.3.s5.b1)")
        else:
            self.language_map(f"{where}.display", value["display"])

    # --------------------------------------------------------------- object

    def statement_object(self, where: str, value: Any, *, sub: bool) -> None:
        if not self.object_(where, value):
            return
        kind = value.get("objectType", "Activity")
        if kind == "Activity":
            self.activity(where, value)
        elif kind in ("Agent", "Group"):
            self.agent(where, value, as_object=True)
        elif kind == "StatementRef":
            self.keys(where, value, {"objectType", "id"})
            if not is_uuid(value.get("id")):
                self.bad(where, "a StatementRef id must be a UUID")
        elif kind == "SubStatement":
            if sub:
                self.bad(where, "a SubStatement cannot contain a SubStatement")  # s8.b4
            else:
                self.statement(where, value, sub=True)
        else:
            self.bad(where, f"unknown objectType {kind!r}")

    def activity(self, where: str, value: dict[str, Any]) -> None:
        self.keys(where, value, ACTIVITY_KEYS)
        if value.get("objectType", "Activity") != "Activity":
            self.bad(where, "objectType must be Activity when present")
        if not is_iri(value.get("id")):
            self.bad(where, f"id must be an absolute IRI, not {value.get('id')!r}")
        if "definition" in value:
            self.definition(f"{where}.definition", value["definition"])

    def definition(self, where: str, value: Any) -> None:
        if not self.object_(where, value):
            return
        self.keys(where, value, DEFINITION_KEYS)
        for key in ("name", "description"):
            if key in value:
                self.language_map(f"{where}.{key}", value[key])
        if "type" in value and not is_iri(value["type"]):
            self.bad(where, "type must be an IRI")
        if "moreInfo" in value and not is_irl(value["moreInfo"]):
            self.bad(where, "moreInfo must be an IRL")
        if "extensions" in value:
            self.extensions(f"{where}.extensions", value["extensions"])
        interaction = {"correctResponsesPattern", *ALL_COMPONENT_LISTS} & set(value)
        kind = value.get("interactionType")
        if "interactionType" in value and kind not in INTERACTION_TYPES:
            # 2.4.4.1 s13.b1: a valid interactionType.
            self.bad(where, f"interactionType {kind!r} is not one of the spec's values")
            return
        if interaction and kind is None:
            self.bad(where, f"{sorted(interaction)} need an interactionType")
            return
        if "correctResponsesPattern" in value:
            pattern = value["correctResponsesPattern"]
            if not isinstance(pattern, list) or not all(isinstance(p, str) for p in pattern):
                self.bad(where, "correctResponsesPattern must be an array of strings")
            elif kind == "true-false" and not set(pattern) <= {"true", "false"}:
                self.bad(where, "a true-false pattern is 'true' or 'false'")  # s10 row 1
        for key in sorted(ALL_COMPONENT_LISTS & set(value)):
            if key not in COMPONENT_LISTS.get(kind, set()):
                self.bad(where, f"{key!r} is not a component list of {kind!r}")  # s15 t2
            self.components(f"{where}.{key}", value[key])
        self.pattern_ids(where, value, kind)

    def components(self, where: str, value: Any) -> None:
        if not isinstance(value, list):
            self.bad(where, "must be an array of interaction components")
            return
        ids = []
        for i, component in enumerate(value):
            spot = f"{where}[{i}]"
            if not self.object_(spot, component):
                continue
            self.keys(spot, component, COMPONENT_KEYS)
            cid = component.get("id")
            if not isinstance(cid, str) or not cid:
                self.bad(spot, "id is required and must be a string")
                continue
            if re.search(r"\s", cid):
                self.bad(spot, f"id {cid!r} has whitespace (SHOULD NOT, s16.b2)")
            ids.append(cid)
            if "description" in component:
                self.language_map(f"{spot}.description", component["description"])
        if len(ids) != len(set(ids)):
            self.bad(where, "component ids must be distinct")  # 2.4.4.1 s16.b1

    def pattern_ids(self, where: str, value: dict[str, Any], kind: Any) -> None:
        # choice / sequencing patterns are lists of item ids (s10 rows 2 and 6): when the
        # choices are listed, every id in a pattern must be one of them.
        if kind not in ("choice", "sequencing") or "choices" not in value:
            return
        known = {c.get("id") for c in value["choices"] if isinstance(c, dict)}
        for pattern in value.get("correctResponsesPattern", []):
            if not isinstance(pattern, str) or pattern == "":
                continue
            for item in pattern.split("[,]"):
                if item not in known:
                    self.bad(where, f"pattern item {item!r} is not a listed choice id")

    # --------------------------------------------------------------- result and context

    def result(self, where: str, value: Any) -> None:
        if not self.object_(where, value):
            return
        self.keys(where, value, RESULT_KEYS)
        for key in ("success", "completion"):
            if key in value and not isinstance(value[key], bool):
                self.bad(where, f"{key} must be a boolean")
        if "response" in value and not isinstance(value["response"], str):
            self.bad(where, "response must be a string")
        if "duration" in value:
            problem = duration_problem(value["duration"])
            if problem:
                self.bad(where, problem)
        if "extensions" in value:
            self.extensions(f"{where}.extensions", value["extensions"])
        if "score" in value:
            self.score(f"{where}.score", value["score"])

    def score(self, where: str, value: Any) -> None:
        if not self.object_(where, value):
            return
        self.keys(where, value, SCORE_KEYS)
        for key in SCORE_KEYS & set(value):
            if not is_number(value[key]):
                self.bad(where, f"{key} must be a decimal number")
                return
        scaled, raw = value.get("scaled"), value.get("raw")
        low, high = value.get("min"), value.get("max")
        if scaled is not None and not -1 <= scaled <= 1:
            self.bad(where, f"scaled {scaled} is outside [-1, 1]")
        if low is not None and high is not None and not low < high:
            self.bad(where, f"min {low} must be less than max {high}")
        if raw is not None and low is not None and raw < low:
            self.bad(where, f"raw {raw} is below min {low}")
        if raw is not None and high is not None and raw > high:
            self.bad(where, f"raw {raw} is above max {high}")

    def context(self, where: str, value: Any, statement_object: Any) -> None:
        if not self.object_(where, value):
            return
        self.keys(where, value, CONTEXT_KEYS)
        if "registration" in value and not is_uuid(value["registration"]):
            self.bad(where, "registration must be a UUID")
        is_activity = (
            isinstance(statement_object, dict)
            and statement_object.get("objectType", "Activity") == "Activity"
        )
        for key in ("revision", "platform"):
            if key in value:
                if not isinstance(value[key], str):
                    self.bad(where, f"{key} must be a string")
                if not is_activity:
                    self.bad(where, f"{key} is only for Activity objects (2.4.6 s4)")
        if "language" in value and not (
            isinstance(value["language"], str) and LANG_RE.match(value["language"])
        ):
            self.bad(where, "language must be an RFC 5646 tag")
        if "instructor" in value:
            self.agent(f"{where}.instructor", value["instructor"])
        if "team" in value:
            team = value["team"]
            if not isinstance(team, dict) or team.get("objectType") != "Group":
                self.bad(where, "team must be a Group")
            else:
                self.agent(f"{where}.team", team)
        if "statement" in value:
            ref = value["statement"]
            if (
                not isinstance(ref, dict)
                or ref.get("objectType") != "StatementRef"
                or not is_uuid(ref.get("id"))
            ):
                self.bad(where, "statement must be a StatementRef with a UUID id")
        if "extensions" in value:
            self.extensions(f"{where}.extensions", value["extensions"])
        if "contextActivities" in value:
            self.context_activities(f"{where}.contextActivities", value["contextActivities"])

    def context_activities(self, where: str, value: Any) -> None:
        if not self.object_(where, value):
            return
        self.keys(where, value, CONTEXT_ACTIVITY_KEYS)  # 2.4.6.2 s4.b1
        for key, entry in value.items():
            # s4.b2: a single Activity Object or an array of them.
            activities = entry if isinstance(entry, list) else [entry]
            for i, activity in enumerate(activities):
                spot = f"{where}.{key}[{i}]"
                if self.object_(spot, activity):
                    self.activity(spot, activity)

    # --------------------------------------------------------------- statement

    def statement(self, where: str, value: Any, *, sub: bool = False) -> None:
        if not self.object_(where, value):
            return
        self.keys(where, value, STATEMENT_KEYS | ({"objectType"} if sub else set()))
        if sub:
            for key in SUBSTATEMENT_FORBIDDEN & set(value):
                self.bad(where, f"a SubStatement cannot have {key!r}")
        for key in ("actor", "verb", "object"):  # 2.4 s1 table 1: Required
            if key not in value:
                self.bad(where, f"{key} is required")
        if "id" in value and not is_uuid(value["id"]):
            self.bad(where, f"id {value['id']!r} is not a UUID")
        if "actor" in value:
            self.agent(f"{where}.actor", value["actor"])
        if "verb" in value:
            self.verb(f"{where}.verb", value["verb"])
        if "object" in value:
            self.statement_object(f"{where}.object", value["object"], sub=sub)
        if "result" in value:
            self.result(f"{where}.result", value["result"])
        if "context" in value:
            self.context(f"{where}.context", value["context"], value.get("object"))
        for key in ("timestamp", "stored"):
            if key in value:
                problem = timestamp_problem(value[key])
                if problem:
                    self.bad(where, problem)
        if "version" in value and not (
            isinstance(value["version"], str) and VERSION_RE.match(value["version"])
        ):
            self.bad(where, f"version {value['version']!r} does not start with '1.0.'")
        if "authority" in value:
            self.agent(f"{where}.authority", value["authority"])


def problems(statement: Any) -> list[str]:
    """Every rule `statement` breaks; empty when it is a valid xAPI 1.0.3 statement."""
    checker = _Checker()
    checker.statement("statement", statement)
    return checker.found
