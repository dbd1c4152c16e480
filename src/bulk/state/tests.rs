//! Tests of `bulk::state`.
use super::*;
