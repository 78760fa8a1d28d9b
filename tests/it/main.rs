//! The workspace's integration tests: one binary, one module per area.
//!
//! Tests that need tools from outside Rust (Python's icalendar and vobject,
//! schemathesis, ical.js, the Nu Html Checker, Chromium) run when
//! `NSPM_EXTERNAL_TESTS=1`, which `tests/run` sets after installing them;
//! without it they say that they were skipped. In CI the switch is always on.

mod access;
mod api_schema;
mod browser;
mod check;
mod cli;
mod edit;
mod export;
mod fields;
mod formats;
mod import;
mod photos;
mod server;
mod site;
mod store;
mod support;
mod tidy;
