-- 0003 password accounts: sign-in without Google for self-hosters.  The
-- users table stays exactly the original's: a password account is a users
-- row (or, while on the waitlist, a registration_requests row) whose
-- google_id is the synthetic "password:<lower-cased email>", and its hash
-- lives here under that same key.  The original backend ignores both tables.

-- The password hash (crypt(3) format: yescrypt "$y$..." or bcrypt "$2b$...")
-- of each password account.
CREATE TABLE IF NOT EXISTS intentional_credentials (
    google_id     varchar(255) PRIMARY KEY,
    password_hash text NOT NULL,
    created_at    timestamp NOT NULL
);

-- Failed password sign-ins per account (or per unknown login name), shared
-- by every responder on every host: after LOGIN_MAX_FAILURES failures within
-- LOGIN_LOCKOUT_SECONDS the account is locked until locked_until.
CREATE TABLE IF NOT EXISTS intentional_login_failures (
    account          varchar(320) PRIMARY KEY,
    failures         integer NOT NULL,
    first_failure_at timestamp NOT NULL,
    locked_until     timestamp
);
