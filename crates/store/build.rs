//! Rebuilds the crate when a migration changes: `sqlx::migrate!` embeds the
//! migration files, and cargo would not otherwise notice a new or edited one.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
