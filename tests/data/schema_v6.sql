-- The schema of an annotator project at schema_version 6 (the spaCy words cache,
-- document_spacy_words, added), exactly as annotator created it before schema 7 added trained
-- models, suggestions and rejected suggestions. Frozen: tests build version-6 files from it to
-- prove the migrations. Never edit; add a schema_vN.sql for the next version instead.

CREATE TABLE project_meta (
	"key" VARCHAR(64) NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY ("key")
);

CREATE TABLE label (
	id INTEGER NOT NULL, 
	name VARCHAR(40) NOT NULL, 
	colour VARCHAR(7) NOT NULL, 
	shortcut VARCHAR(8) NOT NULL, 
	definition VARCHAR NOT NULL, 
	example VARCHAR NOT NULL, 
	position INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);

CREATE TABLE annotator (
	id INTEGER NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	created_at VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);

CREATE TABLE document (
	id INTEGER NOT NULL, 
	title VARCHAR NOT NULL, 
	source VARCHAR NOT NULL, 
	format VARCHAR(16) NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	text VARCHAR NOT NULL, 
	char_count INTEGER NOT NULL, 
	meta_json VARCHAR NOT NULL, 
	imported_at VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (sha256)
);

CREATE INDEX ix_document_list ON document (id, title, format, source, char_count);

CREATE TABLE document_page (
	document_id INTEGER NOT NULL, 
	number INTEGER NOT NULL, 
	start INTEGER NOT NULL, 
	"end" INTEGER NOT NULL, 
	width FLOAT NOT NULL, 
	height FLOAT NOT NULL, 
	rotation INTEGER NOT NULL, 
	boxes BLOB NOT NULL, 
	PRIMARY KEY (document_id, number), 
	FOREIGN KEY(document_id) REFERENCES document (id) ON DELETE CASCADE
);

CREATE TABLE span (
	id VARCHAR(32) NOT NULL, 
	document_id INTEGER NOT NULL, 
	annotator_id INTEGER NOT NULL, 
	label_id INTEGER NOT NULL, 
	start INTEGER NOT NULL, 
	"end" INTEGER NOT NULL, 
	note VARCHAR, 
	created_at VARCHAR NOT NULL, 
	updated_at VARCHAR NOT NULL, 
	source VARCHAR(16) DEFAULT 'manual' NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(document_id) REFERENCES document (id) ON DELETE CASCADE, 
	FOREIGN KEY(annotator_id) REFERENCES annotator (id), 
	FOREIGN KEY(label_id) REFERENCES label (id)
);

CREATE INDEX ix_span_doc_annotator_start ON span (document_id, annotator_id, start);

CREATE INDEX ix_span_annotator_id ON span (annotator_id);

CREATE INDEX ix_span_label_id ON span (label_id);

CREATE TABLE document_status (
	document_id INTEGER NOT NULL, 
	annotator_id INTEGER NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	reason VARCHAR, 
	updated_at VARCHAR NOT NULL, 
	PRIMARY KEY (document_id, annotator_id), 
	UNIQUE (document_id, annotator_id), 
	FOREIGN KEY(document_id) REFERENCES document (id) ON DELETE CASCADE, 
	FOREIGN KEY(annotator_id) REFERENCES annotator (id)
);

CREATE INDEX ix_document_status_annotator_id ON document_status (annotator_id);

CREATE TABLE document_tokens (
	document_id INTEGER NOT NULL, 
	version INTEGER NOT NULL, 
	starts BLOB NOT NULL, 
	ends BLOB NOT NULL, 
	tokens_json BLOB NOT NULL, 
	texts_json BLOB, 
	PRIMARY KEY (document_id), 
	FOREIGN KEY(document_id) REFERENCES document (id) ON DELETE CASCADE
);

CREATE TABLE document_spacy_words (
	document_id INTEGER NOT NULL, 
	version INTEGER NOT NULL, 
	orth BLOB NOT NULL, 
	spaces BLOB NOT NULL, 
	heads BLOB NOT NULL, 
	strings_json BLOB NOT NULL, 
	PRIMARY KEY (document_id), 
	FOREIGN KEY(document_id) REFERENCES document (id) ON DELETE CASCADE
);

CREATE TABLE document_sentences (
	document_id INTEGER NOT NULL, 
	version INTEGER NOT NULL, 
	starts BLOB NOT NULL, 
	ends BLOB NOT NULL, 
	PRIMARY KEY (document_id), 
	FOREIGN KEY(document_id) REFERENCES document (id) ON DELETE CASCADE
);

INSERT INTO project_meta ("key", value) VALUES ('schema_version', '6'), ('application_id', 'annotator-project'), ('created_by', 'annotator 0.1.0'), ('created_at', '2026-01-01T00:00:00.000000+00:00');
