"""A job's YAML (`job create/update --yaml`, as `job show -o yaml` prints it or Learn's samples) and an
execution's (`job start --yaml`: containers and initContainers), read as az reads them."""

from knack.log import get_logger

from azlocal.aca import containerapps_options as options
from azlocal.aca import job_spec, keyvault_refs
from azlocal.aca.definition import parse_secrets
from azlocal.core import yamlsafe
from azlocal.core.errors import AzLocalError, ValidationError

logger = get_logger(__name__)
YAML_DOC = "https://aka.ms/azure-container-apps-yaml"
_PROPERTY_KEYS = ("environmentId", "configuration", "template", "workloadProfileName", "managedEnvironmentId")


def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as ex:
        raise AzLocalError(f"Cannot read '{path}': {ex.strerror}") from ex


def _load(text):
    doc = yamlsafe.load(text)
    if not isinstance(doc, dict):
        raise ValidationError(f"Invalid YAML provided. Please see {YAML_DOC} for a valid containerapps YAML spec.")
    return doc


def job_document(text, name):
    """The YAML as a job document: `properties` holds what az moves under it; name and type checked."""
    doc = _load(text)
    props = dict(doc.get("properties") or {})
    for key in _PROPERTY_KEYS:
        if key in doc and key not in props:
            props[key] = doc[key]
    doc["properties"] = props
    if doc.get("name") and str(doc["name"]).lower() != name.lower():
        logger.warning('The job name provided in the --yaml file "%s" does not match the one provided in the --name '
                       'flag "%s". The one provided in the --yaml file will be used.', doc["name"], name)
    if doc.get("type") and str(doc["type"]).lower() != "microsoft.app/jobs":
        raise ValidationError('Containerapp job type must be "Microsoft.App/jobs"')
    for key in ("configuration", "template"):
        if props.get(key) is not None and not isinstance(props[key], dict):
            raise ValidationError(f"Invalid YAML provided. Please see {YAML_DOC} for a valid containerapps YAML "
                                  "spec.")
    return doc


def secrets_of(props):
    items = (props.get("configuration") or {}).get("secrets") or []
    if not isinstance(items, list):
        raise ValidationError("Invalid YAML provided: configuration.secrets must be a list.")
    return parse_secrets([keyvault_refs.yaml_item(s) for s in items if isinstance(s, dict)])


def _identity(doc):
    ident = doc.get("identity") or {}
    if not isinstance(ident, dict):
        raise ValidationError("Invalid YAML provided: identity must be a mapping.")
    kind = str(ident.get("type") or "None").lower()
    users = list((ident.get("userAssignedIdentities") or {}).keys())
    if kind == "none" and not users:
        return None
    return options.identity_doc(None, "systemassigned" in kind.replace(" ", ""), users)


def create_spec(text, name, environment=None, other_flags=False):
    """What `create --yaml` makes: the arguments of jobs.create."""
    if other_flags:
        logger.warning("Additional flags were passed along with --yaml. These flags will be ignored, and the "
                       "configuration defined in the yaml will be used instead")
    doc = job_document(text, name)
    props = doc["properties"]
    env_id = props.get("environmentId") or props.get("managedEnvironmentId")
    if environment and env_id and env_id != environment:
        logger.warning("The environmentId was passed along with --yaml. The value entered with --environment will be "
                       "ignored, and the configuration defined in the yaml will be used instead")
    env_id = env_id or environment
    if not env_id:
        raise ValidationError("environmentId is required. This can be retrieved using the `az containerapp env show "
                              "-g MyResourceGroup -n MyContainerappEnvironment --query id` command. Please see "
                              f"{YAML_DOC} for a valid containerapps YAML spec.")
    if not str(env_id).startswith("/subscriptions/"):
        raise ValidationError("Invalid environmentId specified. Environment not found")
    configuration = dict(props.get("configuration") or {})
    new_secrets = secrets_of(props)
    configuration.pop("secrets", None)
    configuration.pop("dapr", None)
    template = job_spec.normalise_template(props.get("template"))
    return {"environment": env_id, "configuration": configuration, "template": template,
            "new_secrets": new_secrets, "identity": _identity(doc), "tags": doc.get("tags"),
            "workload_profile_name": props.get("workloadProfileName")}


def execution_template(text):
    """`job start --yaml`: an execution's containers and init containers."""
    doc = _load(text)
    doc = doc.get("template") or doc
    if not isinstance(doc, dict) or not isinstance(doc.get("containers"), list):
        raise ValidationError("Invalid YAML provided. Please see https://aka.ms/azure-container-apps-yaml for a "
                              "valid containerapp job execution YAML.")
    return job_spec.normalise_template(doc, volumes=False)
