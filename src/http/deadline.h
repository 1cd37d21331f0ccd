// Coarse deadlines for the I/O of one worker thread, with no system call per arm.
//
// Beast's per-stream timers re-arm an Asio timer (a timerfd_settime call) before every
// read and write: several system calls per proxied request. Here a Deadline is armed
// and disarmed by storing a time point; one DeadlineSweep per thread wakes every
// `tick` while any deadline is armed and fires the ones that have passed (so a
// deadline fires up to one tick late). Firing calls the owner's callback, which
// cancels its pending socket operation; the owner then sees operation_aborted with
// expired() set. Not thread-safe: a sweep and its deadlines live on one thread.
#pragma once

#include <chrono>
#include <functional>
#include <list>
#include <memory>

#include "http/task.h"

namespace sy::http {

class DeadlineSweep {
 public:
  using Clock = std::chrono::steady_clock;

  DeadlineSweep(boost::asio::io_context& ctx, std::chrono::milliseconds tick);
  ~DeadlineSweep();
  DeadlineSweep(const DeadlineSweep&) = delete;
  DeadlineSweep& operator=(const DeadlineSweep&) = delete;

  struct State;

  class Deadline {
   public:
    Deadline(DeadlineSweep& sweep, std::function<void()> on_expire);
    ~Deadline();
    Deadline(const Deadline&) = delete;
    Deadline& operator=(const Deadline&) = delete;

    // Fires `d` from now (a non-positive duration fires at the next tick).
    void arm(std::chrono::milliseconds d);
    void disarm() { at_ = Clock::time_point::max(); }
    // Whether it fired since it was last armed.
    bool expired() const { return expired_; }

   private:
    friend class DeadlineSweep;
    std::shared_ptr<State> state_;
    std::function<void()> on_expire_;
    Clock::time_point at_ = Clock::time_point::max();
    bool expired_ = false;
    std::list<Deadline*>::iterator self_;
  };

 private:
  std::shared_ptr<State> state_;
};

}  // namespace sy::http
