"""The ingress policies the gateway enforces: CORS, IP access restrictions and sticky sessions.

Two halves, both pure: the document side (what `az containerapp ingress cors/access-restriction/
sticky-sessions` write into `configuration.ingress`, checked as Azure checks it) and the enforcing
side (`compile_policy(app)`: one `Policy` per app, built when the gateway reloads its routes, so a
request only does set lookups and dictionary copies).

As Azure's Envoy does: a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) from
an allowed origin is answered by the gateway itself (200, empty body, the origin echoed, methods,
headers, max-age, credentials); other requests from an allowed origin get Access-Control-Allow-Origin
(+ credentials, expose headers) on the app's response; an origin not allowed gets no CORS headers
(and its preflight goes to the app). IP rules are all Allow (every other address denied) or all Deny
(every other address allowed); a denied client gets Envoy's 403 `RBAC: access denied`. Sticky
sessions (single revision mode, HTTP only) pin a client to a replica by a cookie naming the replica.
"""

import hashlib
import ipaddress
import re
from fnmatch import translate

from azlocal.core.errors import ValidationError

# Azure does not publish its affinity cookie's name; this one is azlocal's own.
AFFINITY_COOKIE = "azlocal-affinity"
DENIED_BODY = "RBAC: access denied"
_MIXED = ("(ContainerAppInvalidIpSecurityRestrictions) All IP security restrictions of a container app must have "
          "the same action: they are either all 'Allow' or all 'Deny'.")


# Documents (the CLI side) -----------------------------------------------------------------------

def check_address_range(text):
    """An IPv4 address range in CIDR notation (host bits may be set, as Azure accepts)."""
    try:
        network = ipaddress.ip_network(str(text).strip(), strict=False)
    except ValueError:
        network = None
    if network is None or network.version != 4:
        raise ValidationError(f"(ContainerAppInvalidIpSecurityRestrictionIpAddressRange) The IP address range "
                              f"'{text}' is not valid: give an IPv4 range in CIDR notation, e.g. 198.51.100.14/24.")
    return network


def check_rules(rules):
    """Azure's checks of ingress.ipSecurityRestrictions: valid ranges, one action for all rules."""
    actions = set()
    for rule in rules or []:
        if not isinstance(rule, dict) or not rule.get("ipAddressRange"):
            raise ValidationError("(ContainerAppInvalidIpSecurityRestrictions) Each IP security restriction needs an "
                                  "ipAddressRange and an action.")
        check_address_range(rule["ipAddressRange"])
        action = str(rule.get("action") or "")
        if action.lower() not in ("allow", "deny"):
            raise ValidationError(f"(ContainerAppInvalidIpSecurityRestrictions) The action '{action}' is not valid: "
                                  "use Allow or Deny.")
        actions.add(action.lower())
    if len(actions) > 1:
        raise ValidationError(_MIXED)
    return rules


def set_rule(rules, name, ip_address, description, action):
    """az's access-restriction set: the rule of that name (any case) is replaced, else appended."""
    rules = [dict(r) for r in rules or []]
    for rule in rules:
        if rule.get("name") and rule["name"].lower() == name.lower():
            rule.update(description=description, ipAddressRange=ip_address, action=action)
            break
    else:
        rules.append({"name": name, "description": description, "ipAddressRange": ip_address, "action": action})
    return check_rules(rules)


def remove_rule(rules, name):
    rules = [dict(r) for r in rules or []]
    for index, rule in enumerate(rules):
        if (rule.get("name") or "").lower() == name.lower():
            rules.pop(index)
            return rules
    raise ValidationError(f"Ip restriction name '{name}' does not exist.")


def _max_age(value):
    if value is None:
        return None, False
    if value == "":
        return None, True
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError("max-age must be an integer.") from None
    if number < 0:
        raise ValidationError("max-age must be a positive integer.")
    return number, True


def merge_cors(old, *, allowed_origins=None, allowed_methods=None, allowed_headers=None, expose_headers=None,
               allow_credentials=None, max_age=None):
    """The corsPolicy after a cors enable/update (a PATCH: given fields replace, others stay). As the
    service answers: empty lists read back as null, a new policy allows every header, credentials are
    false unless set, `--max-age ""` resets max-age to null."""
    policy = dict(old or {})
    fresh = not old
    for key, value in (("allowedOrigins", allowed_origins), ("allowedMethods", allowed_methods),
                       ("allowedHeaders", allowed_headers), ("exposeHeaders", expose_headers)):
        if value is not None:
            policy[key] = [v for v in value if v] or None
    if allow_credentials is not None:
        policy["allowCredentials"] = bool(allow_credentials)
    age, given = _max_age(max_age)
    if given:
        policy["maxAge"] = age
    if fresh and not policy.get("allowedHeaders"):
        policy["allowedHeaders"] = ["*"]
    out = {"allowCredentials": bool(policy.get("allowCredentials"))}
    for key in ("allowedHeaders", "allowedMethods", "allowedOrigins", "exposeHeaders", "maxAge"):
        out[key] = policy.get(key)
    if not out["allowedOrigins"]:
        raise ValidationError("Allowed origins must be specified.")
    return dict(sorted(out.items()))


def check_sticky(app, ingress, affinity):
    if (affinity or "").lower() != "sticky":
        return
    if (ingress.get("transport") or "").lower() == "tcp":
        raise ValidationError("(ContainerAppInvalidStickySessions) Sticky sessions are only supported for HTTP "
                              "ingress; this app's ingress transport is TCP.")
    if app["properties"]["configuration"].get("activeRevisionsMode", "Single").lower() != "single":
        raise ValidationError("(ContainerAppInvalidStickySessions) Sticky sessions are only supported in single "
                              "revision mode. Set the revisions mode to single with `az containerapp revision "
                              "set-mode` first.")


def check_http_only(ingress, what):
    if (ingress.get("transport") or "").lower() == "tcp":
        raise ValidationError(f"(ContainerAppInvalidIngress) {what} is only supported for HTTP ingress; this app's "
                              "ingress transport is TCP.")


# Enforcement (the gateway side) ------------------------------------------------------------------

class Cors:
    """One app's CORS policy, its header values joined once."""

    __slots__ = ("any", "exact", "patterns", "preflight", "simple")

    def __init__(self, policy):
        origins = [o for o in policy.get("allowedOrigins") or [] if o]
        self.any = "*" in origins
        self.exact = {o.lower().rstrip("/") for o in origins if "*" not in o}
        self.patterns = [re.compile(translate(o.lower().rstrip("/"))) for o in origins if "*" in o and o != "*"]
        credentials = bool(policy.get("allowCredentials"))
        self.preflight, self.simple = {}, {}
        if credentials:
            self.preflight["Access-Control-Allow-Credentials"] = self.simple["Access-Control-Allow-Credentials"] = \
                "true"
        if policy.get("allowedMethods"):
            self.preflight["Access-Control-Allow-Methods"] = ",".join(policy["allowedMethods"])
        if policy.get("allowedHeaders"):
            self.preflight["Access-Control-Allow-Headers"] = ",".join(policy["allowedHeaders"])
        if policy.get("maxAge") is not None:
            self.preflight["Access-Control-Max-Age"] = str(policy["maxAge"])
        if policy.get("exposeHeaders"):
            self.simple["Access-Control-Expose-Headers"] = ",".join(policy["exposeHeaders"])

    def allows(self, origin):
        if self.any:
            return True
        key = origin.lower().rstrip("/")
        return key in self.exact or any(p.match(key) for p in self.patterns)

    def preflight_headers(self, origin):
        headers = dict(self.preflight)
        headers["Access-Control-Allow-Origin"] = origin
        return headers

    def response_headers(self, origin):
        headers = dict(self.simple)
        headers["Access-Control-Allow-Origin"] = origin
        return headers


class Access:
    """All-Allow or all-Deny rules over client addresses; verdicts cached per address."""

    __slots__ = ("allow", "networks", "verdicts")

    def __init__(self, rules):
        self.allow = str(rules[0].get("action")).lower() == "allow"
        networks = []
        for rule in rules:
            try:
                networks.append(ipaddress.ip_network(rule["ipAddressRange"], strict=False))
            except (KeyError, ValueError):
                continue  # a malformed stored rule matches nothing
        self.networks = tuple(networks)
        self.verdicts = {}

    def permits(self, address):
        verdict = self.verdicts.get(address)
        if verdict is None:
            try:
                ip = ipaddress.ip_address(address or "")
                if getattr(ip, "ipv4_mapped", None):
                    ip = ip.ipv4_mapped
                matched = any(ip in n for n in self.networks if n.version == ip.version)
            except ValueError:
                matched = False
            verdict = matched if self.allow else not matched
            if len(self.verdicts) > 4096:
                self.verdicts.clear()
            self.verdicts[address] = verdict
        return verdict


class Policy:
    __slots__ = ("cors", "access", "sticky")

    def __init__(self, cors, access, sticky):
        self.cors, self.access, self.sticky = cors, access, sticky


def compile_policy(app):
    """The app's Policy, or None when its ingress enforces nothing (the gateway's fast path)."""
    configuration = app["properties"]["configuration"]
    ingress = configuration.get("ingress") or {}
    rules = ingress.get("ipSecurityRestrictions") or []
    access = Access(rules) if rules else None
    http = (ingress.get("transport") or "").lower() != "tcp"
    cors_doc = ingress.get("corsPolicy") or {}
    cors = Cors(cors_doc) if http and cors_doc.get("allowedOrigins") else None
    sticky = http and ((ingress.get("stickySessions") or {}).get("affinity") or "").lower() == "sticky" and \
        (configuration.get("activeRevisionsMode") or "Single").lower() == "single"
    if access is None and cors is None and not sticky:
        return None
    return Policy(cors, access, sticky)


def affinity_token(app_id, target):
    """The cookie value naming one replica (its address) of one app: opaque, stable while it lives."""
    return hashlib.blake2b(f"{app_id.lower()}|{target[0]}:{target[1]}".encode(), digest_size=9).hexdigest()


def sticky_target(app_id, cookie, targets):
    """The replica the cookie names, if it is still among `targets`."""
    if cookie:
        for target in targets:
            if affinity_token(app_id, target) == cookie:
                return target
    return None


def affinity_cookie(app_id, target, secure):
    value = f"{AFFINITY_COOKIE}={affinity_token(app_id, target)}; Path=/; HttpOnly"
    return value + "; Secure" if secure else value
