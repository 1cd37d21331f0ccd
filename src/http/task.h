// The coroutine type used across the gateway: an Asio awaitable bound to the concrete
// io_context executor (no type-erased executor on the hot path; one io_context per
// core). Include this instead of Asio headers in widely used headers.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

namespace sy::http {

using Executor = boost::asio::io_context::executor_type;

template <class T = void>
using Task = boost::asio::awaitable<T, Executor>;

}  // namespace sy::http
