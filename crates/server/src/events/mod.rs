//! The event log: typed domain events recorded in the transaction that
//! makes the change, and read back in commit order by consumers.

pub mod stream;
