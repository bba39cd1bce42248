"""Logging filters of the daemon: no credentials in the log, and no floods of one line.

`RedactFilter` rewrites every record (message, arguments and traceback text) so that query
strings, `Authorization` values, `user:password@` in URLs and `password=`-style pairs never reach
daemon.log, whatever logger wrote them (aiohttp logs a malformed request line verbatim).

`RepeatFilter` lets at most `limit` records with the same message template through per
`window` seconds; the rest are counted, and the count is reported with the next record of that
template or by `flush()` (called once a second by the daemon's housekeeping).
"""

import logging
import re
import threading
import time

MASK = "***"
_PATTERNS = [
    # scheme://user:password@host -> scheme://***:***@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/:@'\"]+:[^\s/@'\"]*@"), r"\1***:***@"),
    # Authorization: Basic abc / Bearer abc (header lines, reprs of header dicts)
    (re.compile(r"(?i)(?:\b|(?<=\\[nrt]))((?:proxy-)?authorization)(['\"]?\s*[:=,]\s*['\"]?)(?:(basic|bearer|digest|negotiate)\s+)?"
                r"[^\s'\"\\,}]+"),
     lambda m: f"{m.group(1)}{m.group(2)}{m.group(3) + ' ' if m.group(3) else ''}{MASK}"),
    # any query string: /path?a=b&c=d -> /path?***
    (re.compile(r"\?[^\s'\"\\#]+"), "?" + MASK),
    # password=..., token: ... outside a query string (form bodies, messages)
    (re.compile(r"(?i)(?:\b|(?<=\\[nrt]))(password|passwd|pwd|secret|token|access_token|refresh_token|client_secret|sig)"
                r"(['\"]?\s*[=:]\s*['\"]?)[^\s&'\"\\,}]+"), r"\1\2" + MASK),
]


def redact(text):
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactFilter(logging.Filter):
    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep its template only
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RepeatFilter(logging.Filter):
    def __init__(self, limit=5, window=1.0, clock=time.monotonic):
        super().__init__()
        self.limit, self.window, self.clock = limit, window, clock
        self.windows = {}  # key -> [window start, records let through, records suppressed, logger, template]
        self.lock = threading.Lock()
        self.suppressed_total = 0

    def filter(self, record):
        if getattr(record, "azlocal_summary", False):
            return True
        key = (record.name, record.levelno, str(record.msg))
        now = self.clock()
        with self.lock:
            entry = self.windows.get(key)
            if entry is None or now - entry[0] >= self.window:
                suppressed = entry[2] if entry else 0
                self.windows[key] = [now, 1, 0, record.name, str(record.msg)]
                if suppressed and isinstance(record.msg, str):
                    record.msg += f" ({suppressed} identical messages were suppressed before this one)"
                return True
            if entry[1] < self.limit:
                entry[1] += 1
                return True
            entry[2] += 1
            self.suppressed_total += 1
            return False

    def flush(self):
        """Reports the counts of windows that have ended, and forgets quiet templates."""
        now = self.clock()
        reports = []
        with self.lock:
            for key, entry in list(self.windows.items()):
                if now - entry[0] < self.window:
                    continue
                if entry[2]:
                    reports.append((entry[3], key[1], entry[2], entry[4]))
                del self.windows[key]
        for name, level, count, template in reports:
            logging.getLogger(name).log(level, "%d identical messages were suppressed in %gs: %s", count, self.window,
                                        template[:300], extra={"azlocal_summary": True})
