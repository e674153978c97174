//! Reading input records (plain lines or JSONL) for `embed`.
