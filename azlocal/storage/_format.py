"""`--output table` for az storage's files commands, with az's columns."""

from collections import OrderedDict

from azlocal.core.tables import rows, table


def share_list_table(result):
    return table([r for r in rows(result) if "name" in r], {
        "Name": lambda r: r["name"],
        "Quota": lambda r: r.get("quota", (r.get("properties") or {}).get("quota")),
        "Last Modified": lambda r: r.get("lastModified", (r.get("properties") or {}).get("lastModified")),
    })


def file_table(result):
    """Files and directories, directories marked with a trailing '/', sorted by name (as az's)."""
    out = []
    for item in rows(result):
        is_dir = item.get("type") == "dir" or item.get("isDirectory")
        props = item.get("properties") or {}
        out.append(OrderedDict([
            ("Name", item["name"] + "/" if is_dir else item["name"]),
            ("Content Length", " " if is_dir else props.get("contentLength")),
            ("Type", item.get("type") or ("dir" if is_dir else "file")),
            ("Last Modified", props.get("lastModified") or " "),
        ]))
    return sorted(out, key=lambda r: r["Name"])


def boolean_table(result):
    """{"created": True} → {"created": "True"}, as az's table shows a boolean result."""
    return {k: str(v) for k, v in (result or {}).items()}
