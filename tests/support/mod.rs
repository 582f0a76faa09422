//! Test support shared by the workspace tests.

pub mod app;
pub mod db;
pub mod seed;
