"""Units in one place: time, decimal and binary data sizes, and the scales prices are quoted in.

Every conversion in capkit is one of these names, never a literal. Each provider bills data in
its own unit, and each component uses the provider's:

- decimal, 1 GB = 1,000 MB = 10^6 KB: AWS DynamoDB storage, S3 storage and transfer, Amplify,
  Render bandwidth and disks, Supabase database, disk and egress, Vercel transfer, Upstash
  storage, Cloud Storage for Firebase;
- binary, 1 GiB = 1,024 MiB = 1,024^2 KiB: Firestore stored data (billed per GiB), and the
  memory of Lambda and Vercel functions (GB-seconds count 1,024 MB as 1 GB).

A stack's sizes (``item_kb``, ``doc_kb``, ``storage_mb_per_user``) are read in the unit of the
provider that bills them; docs/stack-files.md lists them per component.
"""

from __future__ import annotations

# --- time ---------------------------------------------------------------------------------
MS_PER_S = 1000.0
S_PER_MIN = 60.0
S_PER_HOUR = 3600.0
HOURS_PER_DAY = 24.0
S_PER_DAY = S_PER_HOUR * HOURS_PER_DAY
#: Mean Gregorian year, for calendar arithmetic (growth, roadmap dates).
DAYS_PER_YEAR = 365.25
DAYS_PER_CALENDAR_MONTH = DAYS_PER_YEAR / 12

# --- decimal data sizes (SI) --------------------------------------------------------------
BYTES_PER_KB = 1000.0
KB_PER_MB = 1000.0
MB_PER_GB = 1000.0
KB_PER_GB = KB_PER_MB * MB_PER_GB

# --- binary data sizes (IEC) --------------------------------------------------------------
BYTES_PER_KIB = 1024.0
KIB_PER_MIB = 1024.0
BYTES_PER_MIB = BYTES_PER_KIB * KIB_PER_MIB
MIB_PER_GIB = 1024.0
KIB_PER_GIB = KIB_PER_MIB * MIB_PER_GIB
BYTES_PER_GIB = BYTES_PER_MIB * MIB_PER_GIB

# --- the scales catalogs quote prices in (USD per 1,000 requests, per million...) ---------
PER_THOUSAND = 1e3
PER_100K = 1e5
PER_MILLION = 1e6
