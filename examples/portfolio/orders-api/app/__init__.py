"""Orders API: order intake, payment capture and receipts."""
