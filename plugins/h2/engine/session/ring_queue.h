// ring_queue.h — a FIFO on one growable ring buffer: once it has grown to
// the most it held, pushes and pops allocate nothing (std::deque allocates
// and frees a block every few dozen elements, i.e. every few requests for a
// queue with one entry per stream).
#ifndef STRATA_PLUGINS_H2_ENGINE_SESSION_RING_QUEUE_H_
#define STRATA_PLUGINS_H2_ENGINE_SESSION_RING_QUEUE_H_

#include <cstddef>
#include <utility>
#include <vector>

namespace strata::h2 {

template <typename T>
class RingQueue {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  // front: the oldest element; only when !empty().
  T& front() { return slots_[head_]; }
  const T& front() const { return slots_[head_]; }

  // [i]: the i-th oldest element; i < size().
  const T& operator[](size_t i) const { return slots_[(head_ + i) % slots_.size()]; }

  void push_back(T v) {
    if (size_ == slots_.size()) Grow();
    slots_[(head_ + size_) % slots_.size()] = std::move(v);
    ++size_;
  }
  // pop_front drops the oldest element; only when !empty().
  void pop_front() {
    head_ = (head_ + 1) % slots_.size();
    --size_;
  }

 private:
  void Grow() {
    std::vector<T> bigger(slots_.empty() ? 16 : slots_.size() * 2);
    for (size_t i = 0; i < size_; ++i) bigger[i] = std::move(slots_[(head_ + i) % slots_.size()]);
    slots_ = std::move(bigger);
    head_ = 0;
  }

  std::vector<T> slots_;
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace strata::h2

#endif  // STRATA_PLUGINS_H2_ENGINE_SESSION_RING_QUEUE_H_
