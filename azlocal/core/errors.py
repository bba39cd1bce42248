"""The project's error types. Each maps to the exit code the real az uses."""


class AzLocalError(Exception):
    """A failed operation or validation: `ERROR: <message>`, exit 1."""

    exit_code = 1


class ValidationError(AzLocalError):
    pass


class ArgumentUsageError(AzLocalError):
    """Bad arguments detected after parsing: exit 2, as az's argument errors."""

    exit_code = 2


class ResourceNotFound(AzLocalError):
    """An ARM 404: `ERROR: (ResourceNotFound) <message>`, exit 3."""

    exit_code = 3

    def __init__(self, message, code="ResourceNotFound"):
        super().__init__(f"({code}) {message}")


class ResourceNotFoundNoArm(AzLocalError):
    """A lookup that az performs itself (not an ARM 404): exit 1."""


class Conflict(AzLocalError):
    pass
