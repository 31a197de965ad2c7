#include "plugins/udp/datagram_batch.h"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace strata::udp {
namespace {

// The largest datagram, or GRO batch, one recvmsg() can return.
constexpr size_t kReceiveBuffer = 65536;

}  // namespace

size_t GsoBatchBytes(size_t len, size_t segment) {
  if (segment == 0 || len <= segment) return len;
  const size_t segments = std::min(kMaxGsoSegments, std::max<size_t>(1, kMaxGsoBytes / segment));
  return std::min(len, segments * segment);
}

bool KernelHasGso(int fd) {
  int value = 0;
  socklen_t len = sizeof(value);
  return getsockopt(fd, SOL_UDP, UDP_SEGMENT, &value, &len) == 0;
}

bool EnableGro(int fd) {
  int on = 1;
  return setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof(on)) == 0;
}

ssize_t SendSegments(int fd, const uint8_t* data, size_t len, size_t segment) {
  iovec iov{const_cast<uint8_t*>(data), len};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(uint16_t))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  cmsghdr* cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_UDP;
  cm->cmsg_type = UDP_SEGMENT;
  cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
  const uint16_t size = static_cast<uint16_t>(segment);
  std::memcpy(CMSG_DATA(cm), &size, sizeof(size));
  return sendmsg(fd, &msg, MSG_NOSIGNAL);
}

ReceivedBatch::ReceivedBatch() : buffer_(kReceiveBuffer) {}

ssize_t ReceivedBatch::Read(int fd) {
  iovec iov{buffer_.data(), buffer_.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n = recvmsg(fd, &msg, 0);
  if (n <= 0) return n;
  len_ = static_cast<size_t>(n);
  pos_ = 0;
  segment_ = len_;  // no control message: one datagram
  for (cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm != nullptr; cm = CMSG_NXTHDR(&msg, cm)) {
    if (cm->cmsg_level == SOL_UDP && cm->cmsg_type == UDP_GRO && cm->cmsg_len >= CMSG_LEN(sizeof(int))) {
      int size = 0;
      std::memcpy(&size, CMSG_DATA(cm), sizeof(size));
      // A size of 0 or beyond the batch is not the kernel's: keep it whole.
      if (size > 0 && static_cast<size_t>(size) < len_) segment_ = static_cast<size_t>(size);
    }
  }
  return n;
}

size_t ReceivedBatch::Next(uint8_t* buf, size_t cap) {
  if (Empty()) return 0;
  const size_t datagram = std::min(segment_, len_ - pos_);
  const size_t copied = std::min(datagram, cap);
  std::memcpy(buf, buffer_.data() + pos_, copied);
  pos_ += datagram;
  return copied;
}

}  // namespace strata::udp
