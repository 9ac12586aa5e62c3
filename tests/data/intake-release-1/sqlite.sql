-- The tables release 1 of the intake service made at start-up (metadata.create_all on sqlite) and
-- its counters: generated from that release's intake/storage.py. Statements end with a semicolon.

CREATE TABLE cases (
	id INTEGER NOT NULL,
	case_number VARCHAR(10) NOT NULL,
	exchange_ref VARCHAR(16) NOT NULL,
	program VARCHAR(16) NOT NULL,
	state VARCHAR(16) NOT NULL,
	key_hash VARCHAR(200) NOT NULL,
	created_on DATE NOT NULL,
	updated_on DATE NOT NULL,
	item_count INTEGER NOT NULL,
	fingerprint_count INTEGER NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (case_number),
	UNIQUE (exchange_ref)
);

CREATE TABLE counters (
	name VARCHAR(32) NOT NULL,
	value BIGINT NOT NULL,
	PRIMARY KEY (name)
);

CREATE TABLE hash_records (
	id INTEGER NOT NULL,
	signal_type VARCHAR(16) NOT NULL,
	value_digest VARCHAR(64) NOT NULL,
	hash_value TEXT NOT NULL,
	change_seq BIGINT NOT NULL,
	modified_on DATE NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT uq_hash_records_type_digest UNIQUE (signal_type, value_digest)
);

CREATE INDEX ix_hash_records_feed ON hash_records (change_seq, id);

CREATE INDEX ix_hash_records_modified_on ON hash_records (modified_on);

CREATE INDEX ix_hash_records_value_digest ON hash_records (value_digest);

CREATE TABLE idempotency (
	scope VARCHAR(40) NOT NULL,
	key_digest VARCHAR(64) NOT NULL,
	request_digest VARCHAR(64) NOT NULL,
	status_code INTEGER NOT NULL,
	response TEXT NOT NULL,
	created_on DATE NOT NULL,
	PRIMARY KEY (scope, key_digest)
);

CREATE INDEX ix_idempotency_created_on ON idempotency (created_on);

CREATE TABLE platforms (
	id INTEGER NOT NULL,
	name VARCHAR(100) NOT NULL,
	subscription_digest VARCHAR(64) NOT NULL,
	function_digest VARCHAR(64) NOT NULL,
	signal_types VARCHAR(200) NOT NULL,
	created_on DATE NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (name),
	UNIQUE (subscription_digest)
);

CREATE TABLE case_hashes (
	case_id INTEGER NOT NULL,
	hash_id INTEGER NOT NULL,
	PRIMARY KEY (case_id, hash_id),
	FOREIGN KEY(case_id) REFERENCES cases (id),
	FOREIGN KEY(hash_id) REFERENCES hash_records (id)
);

CREATE INDEX ix_case_hashes_hash_id ON case_hashes (hash_id);

CREATE TABLE feedback (
	platform_id INTEGER NOT NULL,
	value_digest VARCHAR(64) NOT NULL,
	feedback_value VARCHAR(32) NOT NULL,
	tags TEXT NOT NULL,
	modified_on DATE NOT NULL,
	PRIMARY KEY (platform_id, value_digest),
	FOREIGN KEY(platform_id) REFERENCES platforms (id)
);

CREATE INDEX ix_feedback_value_digest ON feedback (value_digest);

INSERT INTO counters (name, value) VALUES ('changes', 0);

INSERT INTO counters (name, value) VALUES ('schema_version', 1);
