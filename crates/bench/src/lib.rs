//! `switchboard-bench`: starts the real server (SQLite or PostgreSQL), the
//! Cloud API sandbox and a trivial axum baseline as separate processes on
//! loopback, drives them through the scenarios of issue 5, prints one table
//! and writes the figures into docs/BENCHMARKS.md.
#![forbid(unsafe_code)]

pub mod baseline;
pub mod children;
pub mod cli;
pub mod db;
pub mod load;
pub mod payload;
pub mod report;
pub mod runner;
pub mod scenarios;
pub mod seed;
pub mod seed_audience;
pub mod seed_bulk;
pub mod stats;
