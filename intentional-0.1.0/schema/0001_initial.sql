-- 0001 initial: the final schema of the original FastAPI backend (Alembic
-- head merge_reactions_post_stats plus its hand-installed notifications
-- table), exactly as SCHEMA.md section 10 gives it.  A fresh database built
-- from this file and one built by the original's migrations give the same
-- pg_dump --schema-only.  On a database the original created,
-- intentionalctl migrate records this migration as applied ("adopted")
-- without running it.
--
-- Never edit this file once released: its checksum is recorded in every
-- database.  Schema changes go into a new numbered file.

CREATE TYPE connectionstatus AS ENUM ('pending', 'accepted', 'rejected');
CREATE TYPE registrationstatus AS ENUM ('PENDING', 'APPROVED', 'DENIED');

CREATE TABLE users (
    id            serial       NOT NULL,
    email         varchar(255) NOT NULL,
    username      varchar(50),
    created_at    timestamp    NOT NULL,
    google_id     varchar(255) NOT NULL,
    auth_provider varchar(20)  NOT NULL DEFAULT 'google',
    full_name     varchar(255),
    picture_url   varchar(500),
    display_name  varchar(255),
    avatar_url    varchar(500),
    bio           varchar(500),
    is_banned     boolean      NOT NULL DEFAULT false,
    CONSTRAINT users_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_users_email     ON users (email);
CREATE        INDEX ix_users_id        ON users (id);
CREATE UNIQUE INDEX ix_users_username  ON users (username);
CREATE UNIQUE INDEX ix_users_google_id ON users (google_id);

CREATE TABLE posts (
    id               serial      NOT NULL,
    author_id        integer     NOT NULL,
    content          text        NOT NULL,
    created_at       timestamp   NOT NULL,
    audience_type    varchar(20),
    photo_urls       json,
    digest_summary   text,
    importance_score double precision,
    CONSTRAINT posts_pkey PRIMARY KEY (id),
    CONSTRAINT posts_author_id_fkey FOREIGN KEY (author_id) REFERENCES users (id)
);
CREATE INDEX ix_posts_id          ON posts (id);
CREATE INDEX idx_post_created_at  ON posts (created_at DESC);
CREATE INDEX idx_post_author      ON posts (author_id);

CREATE TABLE connections (
    id                   serial           NOT NULL,
    status               connectionstatus NOT NULL,
    created_at           timestamp,
    updated_at           timestamp,
    user_a_id            integer          NOT NULL,
    user_b_id            integer          NOT NULL,
    initiated_by_user_id integer          NOT NULL,
    CONSTRAINT connections_pkey PRIMARY KEY (id),
    CONSTRAINT unique_connection UNIQUE (user_a_id, user_b_id),
    CONSTRAINT fk_connections_initiated_by_user_id
        FOREIGN KEY (initiated_by_user_id) REFERENCES users (id)
);
CREATE INDEX ix_connections_id      ON connections (id);
CREATE INDEX idx_status             ON connections (status);
CREATE INDEX idx_user_a             ON connections (user_a_id);
CREATE INDEX idx_user_b             ON connections (user_b_id);
CREATE INDEX idx_initiated_by_user  ON connections (initiated_by_user_id);
CREATE INDEX idx_connection_lookup  ON connections (user_a_id, user_b_id, status);

CREATE TABLE tags (
    id            serial      NOT NULL,
    owner_user_id integer     NOT NULL,
    name          varchar(24) NOT NULL,
    color_scheme  varchar(20),
    created_at    timestamp,
    CONSTRAINT tags_pkey PRIMARY KEY (id),
    CONSTRAINT unique_user_tag UNIQUE (owner_user_id, name),
    CONSTRAINT tags_user_id_fkey FOREIGN KEY (owner_user_id) REFERENCES users (id)
);
CREATE INDEX idx_user_tags ON tags (owner_user_id);
CREATE INDEX ix_tags_id    ON tags (id);

CREATE TABLE post_audience_tags (
    id      serial  NOT NULL,
    post_id integer NOT NULL,
    tag_id  integer NOT NULL,
    CONSTRAINT post_audience_tags_pkey PRIMARY KEY (id),
    CONSTRAINT post_audience_tags_post_id_fkey FOREIGN KEY (post_id) REFERENCES posts (id),
    CONSTRAINT post_audience_tags_tag_id_fkey  FOREIGN KEY (tag_id)  REFERENCES tags (id)
);
CREATE INDEX ix_post_audience_tags_id     ON post_audience_tags (id);
CREATE INDEX idx_post_audience_tag_lookup ON post_audience_tags (post_id, tag_id);

CREATE TABLE comments (
    id         serial    NOT NULL,
    post_id    integer   NOT NULL,
    author_id  integer   NOT NULL,
    content    text      NOT NULL,
    created_at timestamp NOT NULL,
    CONSTRAINT comments_pkey PRIMARY KEY (id),
    CONSTRAINT comments_post_id_fkey   FOREIGN KEY (post_id)   REFERENCES posts (id),
    CONSTRAINT comments_author_id_fkey FOREIGN KEY (author_id) REFERENCES users (id)
);
CREATE INDEX ix_comments_id         ON comments (id);
CREATE INDEX idx_comments_post_id   ON comments (post_id);
CREATE INDEX idx_comments_author_id ON comments (author_id);
CREATE INDEX idx_comment_post       ON comments (post_id);
CREATE INDEX idx_comment_author     ON comments (author_id);

CREATE TABLE reported_posts (
    id             serial    NOT NULL,
    post_id        integer   NOT NULL,
    reported_by_id integer,
    reason         text,
    created_at     timestamp NOT NULL,
    resolved_at    timestamp,
    resolved_by_id integer,
    CONSTRAINT reported_posts_pkey PRIMARY KEY (id),
    CONSTRAINT reported_posts_post_id_fkey        FOREIGN KEY (post_id)        REFERENCES posts (id),
    CONSTRAINT reported_posts_reported_by_id_fkey FOREIGN KEY (reported_by_id) REFERENCES users (id),
    CONSTRAINT reported_posts_resolved_by_id_fkey FOREIGN KEY (resolved_by_id) REFERENCES users (id)
);
CREATE INDEX ix_reported_posts_id             ON reported_posts (id);
CREATE INDEX ix_reported_posts_post_id        ON reported_posts (post_id);
CREATE INDEX ix_reported_posts_reported_by_id ON reported_posts (reported_by_id);

CREATE TABLE user_tags (
    id             serial    NOT NULL,
    owner_user_id  integer   NOT NULL,
    target_user_id integer   NOT NULL,
    tag_id         integer   NOT NULL,
    created_at     timestamp,
    CONSTRAINT user_tags_pkey PRIMARY KEY (id),
    CONSTRAINT unique_user_tag_assignment UNIQUE (owner_user_id, target_user_id, tag_id),
    CONSTRAINT user_tags_owner_user_id_fkey  FOREIGN KEY (owner_user_id)  REFERENCES users (id),
    CONSTRAINT user_tags_target_user_id_fkey FOREIGN KEY (target_user_id) REFERENCES users (id),
    CONSTRAINT user_tags_tag_id_fkey         FOREIGN KEY (tag_id)         REFERENCES tags (id)
);
CREATE INDEX idx_owner_user      ON user_tags (owner_user_id);
CREATE INDEX idx_target_user     ON user_tags (target_user_id);
CREATE INDEX idx_tag             ON user_tags (tag_id);
CREATE INDEX ix_user_tags_id     ON user_tags (id);
CREATE INDEX idx_user_tag_lookup ON user_tags (owner_user_id, target_user_id, tag_id);

CREATE TABLE registration_requests (
    id             serial             NOT NULL,
    email          varchar(255)       NOT NULL,
    google_id      varchar(255)       NOT NULL,
    full_name      varchar(255),
    picture_url    varchar(500),
    status         registrationstatus NOT NULL,
    created_at     timestamp          NOT NULL,
    reviewed_at    timestamp,
    reviewed_by_id integer,
    CONSTRAINT registration_requests_pkey PRIMARY KEY (id),
    CONSTRAINT registration_requests_google_id_key UNIQUE (google_id),
    CONSTRAINT registration_requests_reviewed_by_id_fkey
        FOREIGN KEY (reviewed_by_id) REFERENCES users (id)
);
CREATE INDEX ix_registration_requests_id         ON registration_requests (id);
CREATE INDEX ix_registration_requests_email      ON registration_requests (email);
CREATE INDEX ix_registration_requests_google_id  ON registration_requests (google_id);
CREATE INDEX ix_registration_requests_status     ON registration_requests (status);
CREATE INDEX ix_registration_requests_created_at ON registration_requests (created_at);

CREATE TABLE replies (
    id         serial    NOT NULL,
    comment_id integer   NOT NULL,
    author_id  integer   NOT NULL,
    content    text      NOT NULL,
    created_at timestamp NOT NULL,
    CONSTRAINT replies_pkey PRIMARY KEY (id),
    CONSTRAINT replies_comment_id_fkey FOREIGN KEY (comment_id) REFERENCES comments (id),
    CONSTRAINT replies_author_id_fkey  FOREIGN KEY (author_id)  REFERENCES users (id)
);
CREATE INDEX ix_replies_id          ON replies (id);
CREATE INDEX idx_replies_comment_id ON replies (comment_id);
CREATE INDEX idx_replies_author_id  ON replies (author_id);

CREATE TABLE reactions (
    id         serial      NOT NULL,
    post_id    integer     NOT NULL,
    user_id    integer     NOT NULL,
    emoji      varchar(10) NOT NULL,
    created_at timestamp   NOT NULL,
    CONSTRAINT reactions_pkey PRIMARY KEY (id),
    CONSTRAINT uq_reaction_post_user UNIQUE (post_id, user_id),
    CONSTRAINT reactions_post_id_fkey FOREIGN KEY (post_id) REFERENCES posts (id),
    CONSTRAINT reactions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)
);
CREATE INDEX ix_reactions_id        ON reactions (id);
CREATE INDEX idx_reactions_post_id  ON reactions (post_id);
CREATE INDEX idx_reactions_user_id  ON reactions (user_id);

CREATE TABLE post_stats (
    post_id       integer NOT NULL,
    comment_count integer NOT NULL DEFAULT 0,
    CONSTRAINT post_stats_pkey PRIMARY KEY (post_id),
    CONSTRAINT post_stats_post_id_fkey FOREIGN KEY (post_id) REFERENCES posts (id) ON DELETE CASCADE
);
CREATE INDEX idx_post_stats_post_id ON post_stats (post_id);

CREATE TABLE notifications (
    id           serial      NOT NULL,
    recipient_id integer     NOT NULL,
    actor_id     integer     NOT NULL,
    post_id      integer     NOT NULL,
    comment_id   integer,
    type         varchar(20) NOT NULL,
    created_at   timestamp   NOT NULL DEFAULT CURRENT_TIMESTAMP,
    read_at      timestamp,
    CONSTRAINT notifications_pkey PRIMARY KEY (id),
    CONSTRAINT notifications_recipient_id_fkey FOREIGN KEY (recipient_id) REFERENCES users (id),
    CONSTRAINT notifications_actor_id_fkey     FOREIGN KEY (actor_id)     REFERENCES users (id),
    CONSTRAINT notifications_post_id_fkey      FOREIGN KEY (post_id)      REFERENCES posts (id),
    CONSTRAINT notifications_comment_id_fkey   FOREIGN KEY (comment_id)   REFERENCES comments (id)
);
CREATE INDEX idx_notification_recipient         ON notifications (recipient_id);
CREATE INDEX idx_notification_post              ON notifications (post_id);
CREATE INDEX idx_notification_comment           ON notifications (comment_id);
CREATE INDEX idx_notification_recipient_read    ON notifications (recipient_id, read_at);
CREATE INDEX idx_notification_recipient_post    ON notifications (recipient_id, post_id);
CREATE INDEX idx_notification_recipient_comment ON notifications (recipient_id, comment_id);

CREATE TABLE alembic_version (
    version_num varchar(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO alembic_version (version_num) VALUES ('merge_reactions_post_stats');
