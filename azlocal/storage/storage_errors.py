"""The Storage services' errors as Azure returns them: an HTTP status, an error code and the message.

The data plane renders one as Azure's XML error body (x-ms-error-code header, RequestId and Time lines in
the message), so the azure-storage-* SDKs raise the same exceptions they raise against Azure; the CLI
prints it as az does (the SDK's message, then `ErrorCode:<code>`), exit 3 for a 404 and 1 otherwise.
"""

import datetime
import uuid

from azlocal.core.errors import AzLocalError

MESSAGES = {
    "AuthenticationFailed": (403, "Server failed to authenticate the request. Make sure the value of Authorization "
                                  "header is formed correctly including the signature."),
    "AuthorizationPermissionMismatch": (403, "This request is not authorized to perform this operation using this "
                                             "permission."),
    "AuthorizationResourceTypeMismatch": (403, "This request is not authorized to perform this operation using this "
                                               "resource type."),
    "AuthorizationServiceMismatch": (403, "This request is not authorized to perform this operation using this "
                                          "service."),
    "AuthorizationProtocolMismatch": (403, "This request is not authorized to perform this operation using this "
                                           "protocol."),
    "AuthorizationSourceIPMismatch": (403, "This request is not authorized to perform this operation using this "
                                           "source IP {ip}."),
    "AuthorizationFailure": (403, "This request is not authorized to perform this operation."),
    "NoAuthenticationInformation": (401, "Server failed to authenticate the request. Please refer to the "
                                         "information in the www-authenticate header."),
    "InvalidAuthenticationInfo": (401, "Authentication information is not given in the correct format. Check the "
                                       "value of Authorization header."),
    "PublicAccessNotPermitted": (409, "Public access is not permitted on this storage account."),
    "ResourceNotFound": (404, "The specified resource does not exist."),
    "ContainerNotFound": (404, "The specified container does not exist."),
    "BlobNotFound": (404, "The specified blob does not exist."),
    "ContainerAlreadyExists": (409, "The specified container already exists."),
    "BlobAlreadyExists": (409, "The specified blob already exists."),
    "ConditionNotMet": (412, "The condition specified using HTTP conditional header(s) is not met."),
    "InvalidBlockList": (400, "The specified block list is invalid."),
    "InvalidBlobOrBlock": (400, "The specified blob or block content is invalid."),
    "InvalidBlobType": (409, "The blob type is invalid for this operation."),
    "Md5Mismatch": (400, "The MD5 value specified in the request did not match with the MD5 value calculated by "
                         "the server."),
    "InvalidRange": (416, "The range specified is invalid for the current size of the resource."),
    "InvalidResourceName": (400, "The specifed resource name contains invalid characters."),
    "OutOfRangeInput": (400, "One of the request inputs is out of range."),
    "InvalidQueryParameterValue": (400, "Value for one of the query parameters specified in the request URI is "
                                        "invalid."),
    "InvalidHeaderValue": (400, "The value for one of the HTTP headers is not in the correct format."),
    "InvalidInput": (400, "One of the request inputs is not valid."),
    "InvalidXmlDocument": (400, "XML specified is not syntactically valid."),
    "MissingRequiredHeader": (400, "An HTTP header that's mandatory for this request is not specified."),
    "UnsupportedHttpVerb": (405, "The resource doesn't support the specified HTTP verb."),
    "FeatureNotSupported": (400, "{what} is not supported by azlocal's Blob service."),
    "LeaseAlreadyPresent": (409, "There is already a lease present."),
    "LeaseNotPresentWithBlobOperation": (412, "There is currently no lease on the blob."),
    "LeaseNotPresentWithContainerOperation": (412, "There is currently no lease on the container."),
    "LeaseNotPresentWithLeaseOperation": (409, "There is currently no lease on the {what}."),
    "LeaseIdMissing": (412, "There is currently a lease on the {what} and no lease ID was specified in the "
                            "request."),
    "LeaseIdMismatchWithBlobOperation": (412, "The lease ID specified did not match the lease ID for the blob."),
    "LeaseIdMismatchWithContainerOperation": (412, "The lease ID specified did not match the lease ID for the "
                                                   "container."),
    "LeaseIdMismatchWithLeaseOperation": (409, "The lease ID specified did not match the lease ID for the {what}."),
    "LeaseIsBrokenAndCannotBeRenewed": (409, "The lease ID matched, but the lease has been broken explicitly and "
                                             "cannot be renewed."),
    "CannotVerifyCopySource": (404, "The specified resource does not exist."),
}


class StorageError(AzLocalError):
    """One of Azure Storage's errors (MESSAGES: code -> status, message); `values` fill the message's {…}."""

    def __init__(self, code, message=None, status=None, **values):
        default_status, default_message = MESSAGES.get(code, (400, code))
        self.code = code
        self.status = status or default_status
        self.detail = message or default_message.format(**values) if values or message else default_message
        self.request_id = str(uuid.uuid4())
        self.time = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")
        super().__init__(f"{self.detail}\nRequestId:{self.request_id}\nTime:{self.time}\nErrorCode:{code}")
        self.exit_code = 3 if self.status == 404 else 1

    def service_message(self):
        """The <Message> of Azure's error body."""
        return f"{self.detail}\nRequestId:{self.request_id}\nTime:{self.time}"
