/*
 * The xenstore wire format (xen/io/xs_wire.h): each message is a 16-byte header
 * (type, req_id, tx_id, len) and len <= 4096 bytes of payload, mostly NUL-terminated
 * strings. These functions check and take apart what xenstored sends. They touch no
 * ring and no hypervisor, so the unit tests run them on the host with hostile input.
 */
#ifndef XEN_XS_WIRE_H
#define XEN_XS_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

/* 0 if a reply header can be trusted for framing (known type, len <= payload max). */
int xs_check_header(const struct xsd_sockmsg *hdr);
/* 0 if the payload has the shape its type requires, -EBADMSG if not. */
int xs_check_payload(uint32_t type, const char *payload, uint32_t len);
/* The negative errno an XS_ERROR payload names ("ENOENT\0" -> -ENOENT); -EIO if unknown. */
int xs_error_errno(const char *payload, uint32_t len);
/* Point strs[] at each NUL-terminated string of the payload. Returns how many, or
 * -EBADMSG if the last one lacks its NUL, -E2BIG if there are more than max. */
int xs_split(const char *payload, uint32_t len, const char **strs, unsigned int max);

/* Strict parsing of values read from xenstore (another domain wrote them). */
/* Decimal digits only, at least one, no sign, no spaces, value <= max. */
int xs_parse_uint(const char *s, unsigned long long max, unsigned long long *out);
/* Exactly six pairs of hex digits separated by ':' ("00:16:3e:1a:2b:3c"). */
int xs_parse_mac(const char *s, uint8_t mac[6]);

/* The name of a request type, for log messages. */
const char *xs_type_name(uint32_t type);

#endif
