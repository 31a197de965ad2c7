// hop_timing.h — what one finished hop adds to the response's timers and
// sizes (curl's time_namelookup … time_starttransfer, size_request,
// size_header), and the final hop's connection facts.
//
// curl's rule, kept here: every timer is measured from the start of the
// hop that reached it and summed over the hops, so after redirects each
// is a sum; a hop on a reused connection adds nothing to name lookup,
// connect and app connect.
#ifndef STRATA_RUNTIME_CLIENT_HOP_TIMING_H_
#define STRATA_RUNTIME_CLIENT_HOP_TIMING_H_

#include <cstdint>

#include "runtime/chain/connection.h"
#include "runtime/http/message.h"
#include "strata/plugin.h"

namespace strata {

struct HopState;

// AddHop adds |hop|'s timers and request size to |response| and sets the
// connection facts from |conn| (may be null: a hop that never connected).
void AddHop(const HopState& hop, Connection* conn, Response* response);

// RequestHeadSize is the size of the request head in HTTP/1.1 form: the
// request line, Host, the fields, the framing field the session layer
// adds, and the blank line. Used for HTTP/2 hops, whose wire bytes are
// frames (curl counts the HTTP/1 form too).
int64_t RequestHeadSize(const strata_request_head& head, size_t target_len);

// ResponseHeadSize is a response head's size in HTTP/1 form ("HTTP/2 200
// \r\n" for HTTP/2, as curl renders it).
int64_t ResponseHeadSize(const strata_response_head& head);

}  // namespace strata

#endif  // STRATA_RUNTIME_CLIENT_HOP_TIMING_H_
