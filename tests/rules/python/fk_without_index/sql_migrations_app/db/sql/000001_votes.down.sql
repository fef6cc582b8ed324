-- golang-migrate down migration: never reported.
CREATE TABLE vote_archive (
    id bigserial PRIMARY KEY,
    post_id bigint NOT NULL REFERENCES post (id)
);
