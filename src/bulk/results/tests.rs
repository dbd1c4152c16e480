//! Tests of `bulk::results`.
use super::*;
