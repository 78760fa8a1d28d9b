//! The society's website and read-only JSON API over HTTP, built on axum.
//!
//! Pages come ready-rendered from `nspm-export`, so serving is a lookup; the
//! server holds no domain logic of its own.
