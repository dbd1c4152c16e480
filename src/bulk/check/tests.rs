//! Tests of `bulk::check`.
use super::*;
