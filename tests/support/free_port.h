// free_port.h — an ephemeral TCP port on 127.0.0.1 for a test server.
//
// The port is found by binding to port 0 and closing the socket again, so
// another process may take it before the caller binds. Servers we control
// (ScriptedPeer) therefore keep their own listening socket instead; this is
// for servers in other processes (nginx), whose fixtures retry on a clash.
#ifndef STRATA_TESTS_SUPPORT_FREE_PORT_H_
#define STRATA_TESTS_SUPPORT_FREE_PORT_H_

#include <cstdint>

namespace strata::test {

// FreePort returns a port on 127.0.0.1 that was free a moment ago and that
// this process has not been given before. Aborts the
// test binary if no socket can be bound (the machine is unusable for tests).
uint16_t FreePort();

// PortAcceptsConnections is true when a TCP connect to 127.0.0.1:|port|
// succeeds now.
bool PortAcceptsConnections(uint16_t port);

// UdpPortBound is true when some socket holds UDP 127.0.0.1:|port| now (a
// QUIC server is listening there): binding it ourselves fails.
bool UdpPortBound(uint16_t port);

}  // namespace strata::test

#endif  // STRATA_TESTS_SUPPORT_FREE_PORT_H_
