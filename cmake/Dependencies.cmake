# Every dependency comes from a Debian package (scripts/install-deps.sh).
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED COMPONENTS system json url)
find_package(OpenSSL REQUIRED)
find_package(ZLIB REQUIRED)                      # ZLIB::ZLIB: the CRC32 of AWS event streams
find_package(simdjson REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(nlohmann_json REQUIRED)

# Asio/Beast: coroutines, no deprecated APIs, separate compilation kept off (header-only).
add_library(sy_asio INTERFACE)
target_link_libraries(sy_asio INTERFACE Boost::headers Boost::system Threads::Threads)
target_compile_definitions(sy_asio INTERFACE BOOST_ASIO_NO_DEPRECATED)

# Storage and audit.
find_package(PostgreSQL REQUIRED)                 # libpq (PostgreSQL::PostgreSQL)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)   # PkgConfig::SODIUM
# Budgets and rate limits shared by replicas: hiredis (its CMake config is broken in 0.14).
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)   # PkgConfig::HIREDIS

# Data-loss prevention: Hyperscan (one database for every detector) and toml++ (gitleaks rules).
pkg_check_modules(HYPERSCAN REQUIRED IMPORTED_TARGET libhs)   # PkgConfig::HYPERSCAN
find_package(tomlplusplus REQUIRED)                           # tomlplusplus::tomlplusplus

# JSON Schema `pattern` (ECMA-262 regexes): PCRE2 in UTF mode, compiled once per schema.
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)  # PkgConfig::PCRE2
