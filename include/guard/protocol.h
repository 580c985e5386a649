/* protocol.h: the names and limits of guard's varlink-style wire protocol.
 * Bump GUARD_PROTOCOL_VERSION if any of these change in a way an old peer would notice. */
#pragma once

#define GUARD_PROTOCOL_VERSION 1

/* A message is one JSON object followed by one NUL byte; this is the largest
 * object we accept, checked before any parsing. */
#define GUARD_MAX_MESSAGE (64 * 1024)

#define GUARD_DEFAULT_SOCKET    "/run/guard/guard.sock"
#define GUARD_DEFAULT_AUDIT_LOG "/var/log/guard/decisions.jsonl"
#define GUARD_SOCKET_ENV        "GUARD_SOCKET"
/* Where guard leaves a break-glass record when guardd cannot be reached (tests). */
#define GUARD_SPOOL_DIR_ENV "GUARD_SPOOL_DIR"

#define GUARD_INTERFACE "io.guard"

/* Methods. */
#define GUARD_METHOD_CHECK      "io.guard.Check"
#define GUARD_METHOD_FINISHED   "io.guard.Finished"
#define GUARD_METHOD_STATUS     "io.guard.Status"
#define GUARD_METHOD_EXPLAIN    "io.guard.Explain"
#define GUARD_METHOD_RELOAD     "io.guard.Reload"
#define GUARD_METHOD_ROTATE_LOG "io.guard.RotateLog"
#define GUARD_METHOD_BREAK_GLASS "io.guard.BreakGlass"
#define GUARD_METHOD_LIST       "io.guard.List"
#define GUARD_METHOD_PENDING    "io.guard.Pending"
#define GUARD_METHOD_APPROVE    "io.guard.Approve"
#define GUARD_METHOD_REJECT     "io.guard.Reject"
#define VARLINK_METHOD_INFO     "org.varlink.service.GetInfo"

/* Errors: varlink's standard ones and ours. */
#define VARLINK_ERROR_METHOD_NOT_FOUND  "org.varlink.service.MethodNotFound"
#define VARLINK_ERROR_INVALID_PARAMETER "org.varlink.service.InvalidParameter"
#define VARLINK_ERROR_PERMISSION_DENIED "org.varlink.service.PermissionDenied"
#define GUARD_ERROR_PROTOCOL            "io.guard.ProtocolError"
#define GUARD_ERROR_TOO_LARGE           "io.guard.MessageTooLarge"
#define GUARD_ERROR_TOO_MANY            "io.guard.TooManyConnections"
#define GUARD_ERROR_INTERNAL            "io.guard.InternalError"
#define GUARD_ERROR_POLICY_INVALID      "io.guard.PolicyInvalid"
#define GUARD_ERROR_RELOAD_FAILED       "io.guard.ReloadFailed"
#define GUARD_ERROR_NO_SUCH_DECISION    "io.guard.NoSuchDecision"
#define GUARD_ERROR_LOG_FAILED          "io.guard.LogFailed"
#define GUARD_ERROR_NO_SUCH_REQUEST     "io.guard.NoSuchRequest"
#define GUARD_ERROR_REQUEST_EXPIRED     "io.guard.RequestExpired"
#define GUARD_ERROR_REQUEST_CLOSED      "io.guard.RequestClosed"
#define GUARD_ERROR_BREAK_GLASS_FORBIDDEN "io.guard.BreakGlassForbidden"

/* Limits on what one Check may carry, well inside GUARD_MAX_MESSAGE. */
#define GUARD_MAX_ARGS     4096
#define GUARD_MAX_PATH_LEN 4096
