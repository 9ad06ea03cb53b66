//! Store tests on real engines: schema parity between the two migration
//! trees, and PostgreSQL row-level security holding even against queries
//! that forget the tenant filter.

mod rls;
mod schema;
