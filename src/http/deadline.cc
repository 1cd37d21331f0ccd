#include "http/deadline.h"

#include <boost/asio/steady_timer.hpp>
#include <vector>

namespace sy::http {

struct DeadlineSweep::State {
  State(boost::asio::io_context& ctx, std::chrono::milliseconds t) : timer(ctx), tick(t) {}

  boost::asio::steady_timer timer;
  std::chrono::milliseconds tick;
  std::list<Deadline*> entries;
  bool running = false;
  bool alive = true;

  void start(const std::shared_ptr<State>& self) {
    running = true;
    timer.expires_after(tick);
    timer.async_wait([self](boost::system::error_code ec) {
      if (ec || !self->alive) return;
      self->sweep(self);
    });
  }

  void sweep(const std::shared_ptr<State>& self) {
    const auto now = Clock::now();
    std::vector<Deadline*> due;
    bool armed = false;
    for (Deadline* d : entries) {
      if (d->at_ == Clock::time_point::max()) continue;
      if (d->at_ <= now) {
        due.push_back(d);
      } else {
        armed = true;
      }
    }
    for (Deadline* d : due) {
      d->at_ = Clock::time_point::max();
      d->expired_ = true;
    }
    // Callbacks only cancel socket operations (their handlers run later), so no
    // deadline is destroyed while this loop runs.
    for (Deadline* d : due) d->on_expire_();
    running = false;
    if (armed) start(self);
  }
};

DeadlineSweep::DeadlineSweep(boost::asio::io_context& ctx, std::chrono::milliseconds tick)
    : state_(std::make_shared<State>(ctx, tick)) {}

DeadlineSweep::~DeadlineSweep() {
  state_->alive = false;
  state_->timer.cancel();
}

DeadlineSweep::Deadline::Deadline(DeadlineSweep& sweep, std::function<void()> on_expire)
    : state_(sweep.state_), on_expire_(std::move(on_expire)) {
  state_->entries.push_front(this);
  self_ = state_->entries.begin();
}

DeadlineSweep::Deadline::~Deadline() { state_->entries.erase(self_); }

void DeadlineSweep::Deadline::arm(std::chrono::milliseconds d) {
  if (d > std::chrono::hours(24 * 365)) {  // "no deadline"
    disarm();
    expired_ = false;
    return;
  }
  at_ = Clock::now() + d;
  expired_ = false;
  if (!state_->running && state_->alive) state_->start(state_);
}

}  // namespace sy::http
