"""Key Vault's errors as the service returns them: an HTTP status, an error code, the message (and the inner
code Azure adds to a few). The data plane renders one as `{"error": {"code", "message", "innererror"}}`; the
CLI prints `(<code>) <message>`, exit 3 for a 404 and 1 otherwise, as az does with the SDK's errors."""

from azlocal.core.errors import AzLocalError

HELP_NOT_FOUND = "https://go.microsoft.com/fwlink/?linkid=2125182"


class KeyVaultError(AzLocalError):
    status = 400
    code = "BadParameter"

    def __init__(self, message, code=None, status=None, inner=None):
        self.code = code or type(self).code
        self.status = status or type(self).status
        self.text = message
        self.inner = inner
        super().__init__(f"({self.code}) {message}")
        self.exit_code = 3 if self.status == 404 else 1

    def body(self):
        error = {"code": self.code, "message": self.text}
        if self.inner:
            error["innererror"] = {"code": self.inner}
        return {"error": error}


class BadParameter(KeyVaultError):
    status, code = 400, "BadParameter"


class NotFound(KeyVaultError):
    status, code = 404, "NotFound"


class Conflict(KeyVaultError):
    status, code = 409, "Conflict"


class Forbidden(KeyVaultError):
    status, code = 403, "Forbidden"


def object_not_found(kind, name, version=None):
    """`A secret with (name/id) n was not found in this key vault. …` (SecretNotFound / KeyNotFound)."""
    what = f"{name}/{version}" if version else name
    return NotFound(f"A {kind} with (name/id) {what} was not found in this key vault. If you recently deleted this "
                    f"{kind} you may be able to recover it using the correct recovery command. For help resolving "
                    f"this issue, please see {HELP_NOT_FOUND}", code=f"{kind.capitalize()}NotFound")


def deleted_not_found(kind):
    return NotFound(f"Deleted {kind.capitalize()} not found", code=f"{kind.capitalize()}NotFound")


def in_deleted_state(kind, name):
    return Conflict(f"{kind.capitalize()} {name} is currently in a deleted but recoverable state, and its name cannot "
                    f"be reused; in this state, the {kind} can only be recovered or purged.",
                    inner="ObjectIsDeletedButRecoverable")


def being_deleted(kind, name):
    return Conflict(f"{kind.capitalize()} is currently being deleted.", inner="ObjectIsBeingDeleted")


def purge_protected():
    return Forbidden('Operation "purge" is not allowed because purge protection is enabled for this vault. Key Vault '
                     "service will automatically purge it after the retention period has passed.",
                     inner="KeyVaultPolicyError")


def disabled(kind, operation):
    return Forbidden(f"Operation {operation} is not allowed on a disabled {kind}.",
                     inner=f"{kind.capitalize()}Disabled")
