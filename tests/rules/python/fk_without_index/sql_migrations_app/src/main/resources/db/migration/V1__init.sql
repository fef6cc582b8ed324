-- Flyway versioned migration.
CREATE TABLE comment (
    id bigserial PRIMARY KEY,
    post_id bigint NOT NULL REFERENCES post (id)
);
