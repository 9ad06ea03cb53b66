//! Store tests on real engines: schema parity between the two migration
//! trees, and PostgreSQL row-level security holding even against queries
//! that forget the tenant filter.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod rls;
mod schema;
