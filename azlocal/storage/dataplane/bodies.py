"""The Blob service's XML documents: enumeration results, block lists, ACLs, service properties."""

import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

from azlocal.storage.blobrecords import http_date
from azlocal.storage.storage_errors import StorageError


def _el(name, value):
    if value is None or value == "":
        return f"<{name} />"
    return f"<{name}>{escape(str(value))}</{name}>"


def _metadata(metadata):
    return "<Metadata>" + "".join(_el(k, v) for k, v in (metadata or {}).items()) + "</Metadata>"


def _lease(lease):
    out = _el("LeaseStatus", lease["status"]) + _el("LeaseState", lease["state"])
    if lease["duration"]:
        out += _el("LeaseDuration", lease["duration"])
    return out


def _head(endpoint, prefix, marker, max_results, extra=""):
    return (f'<EnumerationResults ServiceEndpoint="{escape(endpoint)}"{extra}>' +
            (_el("Prefix", prefix) if prefix else "") + (_el("Marker", marker) if marker else "") +
            (_el("MaxResults", max_results) if max_results else ""))


def container_list(endpoint, items, next_marker, *, prefix, marker, max_results, include_metadata):
    body = [_head(endpoint, prefix, marker, max_results), "<Containers>"]
    for c in items:
        body.append("<Container>" + _el("Name", c["name"]) + "<Properties>" +
                    _el("Last-Modified", http_date(c["last_modified"])) + _el("Etag", c["etag"]) +
                    _lease(c["lease"]) + (_el("PublicAccess", c["public_access"]) if c["public_access"] else "") +
                    "<DefaultEncryptionScope>$account-encryption-key</DefaultEncryptionScope>"
                    "<DenyEncryptionScopeOverride>false</DenyEncryptionScopeOverride>"
                    "<HasImmutabilityPolicy>false</HasImmutabilityPolicy><HasLegalHold>false</HasLegalHold>"
                    "</Properties>" + (_metadata(c["metadata"]) if include_metadata else "") + "</Container>")
    body.append("</Containers>" + _el("NextMarker", next_marker) + "</EnumerationResults>")
    return "".join(body)


def blob_properties_xml(b):
    return ("<Properties>" + _el("Creation-Time", http_date(b["created"])) +
            _el("Last-Modified", http_date(b["last_modified"])) + _el("Etag", b["etag"]) +
            _el("Content-Length", b["size"]) + _el("Content-Type", b["content_type"] or "application/octet-stream") +
            _el("Content-Encoding", b["content_encoding"]) + _el("Content-Language", b["content_language"]) +
            _el("Content-MD5", b["content_md5"]) + _el("Cache-Control", b["cache_control"]) +
            _el("Content-Disposition", b["content_disposition"]) + _el("BlobType", b["blob_type"]) +
            ("<AccessTier>Hot</AccessTier><AccessTierInferred>true</AccessTierInferred>"
             if b["blob_type"] == "BlockBlob" else "") + _lease(b["lease"]) +
            "<ServerEncrypted>true</ServerEncrypted></Properties>")


def blob_list(endpoint, container, items, next_marker, *, prefix, marker, max_results, delimiter, include):
    body = [_head(endpoint, prefix, marker, max_results, f' ContainerName="{escape(container)}"')]
    if delimiter:
        body.append(_el("Delimiter", delimiter))
    body.append("<Blobs>")
    for b in items:
        if "prefix" in b:
            body.append("<BlobPrefix>" + _el("Name", b["prefix"]) + "</BlobPrefix>")
            continue
        body.append("<Blob>" + _el("Name", b["name"]) + blob_properties_xml(b) +
                    (_metadata(b["metadata"]) if "metadata" in include else "") + "</Blob>")
    body.append("</Blobs>" + _el("NextMarker", next_marker) + "</EnumerationResults>")
    return "".join(body)


def block_list(blocks):
    def section(name, items):
        return f"<{name}>" + "".join("<Block>" + _el("Name", i) + _el("Size", s) + "</Block>" for i, s in items) + \
            f"</{name}>"

    return "<BlockList>" + section("CommittedBlocks", blocks["committed"]) + \
        section("UncommittedBlocks", blocks["uncommitted"]) + "</BlockList>"


def _parse(data):
    try:
        return ET.fromstring(data)
    except ET.ParseError:
        raise StorageError("InvalidXmlDocument") from None


def parse_block_list(data):
    """Put Block List's body -> [(kind, block id)], kind latest / committed / uncommitted."""
    root = _parse(data)
    kinds = {"Latest": "latest", "Committed": "committed", "Uncommitted": "uncommitted"}
    out = []
    for child in root:
        if child.tag not in kinds:
            raise StorageError("InvalidXmlDocument")
        out.append((kinds[child.tag], (child.text or "").strip()))
    return out


def acl(identifiers):
    out = ["<SignedIdentifiers>"]
    for i in identifiers:
        out.append("<SignedIdentifier>" + _el("Id", i.get("id")) + "<AccessPolicy>" + _el("Start", i.get("start")) +
                   _el("Expiry", i.get("expiry")) + _el("Permission", i.get("permission")) +
                   "</AccessPolicy></SignedIdentifier>")
    return "".join(out) + "</SignedIdentifiers>"


def parse_acl(data):
    if not data or not data.strip():
        return []
    out = []
    for node in _parse(data).findall("SignedIdentifier"):
        policy = node.find("AccessPolicy")

        def text(name, policy=policy):
            found = policy.find(name) if policy is not None else None
            return found.text if found is not None and found.text else None

        out.append({"id": node.findtext("Id"), "start": text("Start"), "expiry": text("Expiry"),
                    "permission": text("Permission")})
    if len(out) > 5:
        raise StorageError("InvalidXmlDocument")
    return out


def _retention():
    return "<RetentionPolicy><Enabled>false</Enabled></RetentionPolicy>"


def service_properties():
    metrics = "<Version>1.0</Version><Enabled>false</Enabled>" + _retention()
    return ("<StorageServiceProperties><Logging><Version>1.0</Version><Read>false</Read><Write>false</Write>"
            "<Delete>false</Delete>" + _retention() + "</Logging><HourMetrics>" + metrics + "</HourMetrics>"
            "<MinuteMetrics>" + metrics + "</MinuteMetrics><Cors /><DefaultServiceVersion>2026-04-06"
            "</DefaultServiceVersion><DeleteRetentionPolicy><Enabled>false</Enabled></DeleteRetentionPolicy>"
            "<StaticWebsite><Enabled>false</Enabled></StaticWebsite></StorageServiceProperties>")
