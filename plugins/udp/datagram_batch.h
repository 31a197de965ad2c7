// datagram_batch.h — the two UDP offloads as plain socket calls, with no
// layer state, so each can be tested on its own.
//
// GSO (UDP_SEGMENT, Linux >= 4.18): one sendmsg() carries a buffer that the
// kernel cuts into datagrams of |segment| bytes (the last may be shorter).
// GRO (UDP_GRO, Linux >= 5.0): one recvmsg() may return several datagrams of
// one sender glued together, with a control message giving their size;
// ReceivedBatch hands them out one at a time.
#ifndef STRATA_PLUGINS_UDP_DATAGRAM_BATCH_H_
#define STRATA_PLUGINS_UDP_DATAGRAM_BATCH_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace strata::udp {

// The kernel's limits for one GSO send: UDP_MAX_SEGMENTS is 64 on the
// oldest kernels that have GSO, and the whole batch is one IP datagram's
// payload (65535 - 20 - 8 for IPv4; IPv6 allows 20 more, we keep one limit).
inline constexpr size_t kMaxGsoSegments = 64;
inline constexpr size_t kMaxGsoBytes = 65507;

// GsoBatchBytes is how much of |len| bytes cut at |segment| one GSO send
// takes: whole segments (and the short tail, when it fits) within both
// limits. At least one segment.
size_t GsoBatchBytes(size_t len, size_t segment);

// KernelHasGso is true when the socket accepts UDP_SEGMENT (getsockopt
// answers); it does not prove the device can checksum the segments, which
// sendmsg() reports with EIO.
bool KernelHasGso(int fd);
// EnableGro sets UDP_GRO on |fd|; false when the kernel refuses it.
bool EnableGro(int fd);

// SendSegments sends |len| bytes as datagrams of |segment| bytes with one
// sendmsg(MSG_NOSIGNAL) and a UDP_SEGMENT control message. Returns what
// sendmsg returns (errno set on -1).
ssize_t SendSegments(int fd, const uint8_t* data, size_t len, size_t segment);

// ReceivedBatch is what one recvmsg() returned, handed out one datagram at
// a time.
class ReceivedBatch {
 public:
  ReceivedBatch();

  // Empty is true when every datagram has been handed out.
  bool Empty() const { return pos_ >= len_; }
  // Read does one recvmsg() into the buffer, which must be Empty(). Returns
  // recvmsg's result (errno set on -1); 0 is an empty datagram.
  ssize_t Read(int fd);
  // Next copies the next datagram (at most |cap| bytes of it: the rest of a
  // longer one is dropped, as recv() drops it) and returns the bytes copied.
  size_t Next(uint8_t* buf, size_t cap);
  // Datagrams is how many datagrams the last Read() returned.
  size_t datagrams() const { return segment_ ? (len_ + segment_ - 1) / segment_ : 0; }

 private:
  std::vector<uint8_t> buffer_;
  size_t len_ = 0;
  size_t pos_ = 0;
  size_t segment_ = 0;
};

}  // namespace strata::udp

#endif  // STRATA_PLUGINS_UDP_DATAGRAM_BATCH_H_
