"""``topicfeed.embed.frame_hosts``: the hosts a kept embed can point at (the CSP frame-src)."""

from __future__ import annotations

from topicfeed.embed import DEFAULT_EMBED_HOSTS, frame_hosts, sanitize_embed


def test_every_youtube_spelling_becomes_the_nocookie_host() -> None:
    assert frame_hosts(DEFAULT_EMBED_HOSTS) == ("www.youtube-nocookie.com", "player.vimeo.com")
    assert frame_hosts(["player.vimeo.com", "YouTube.com"]) == (
        "player.vimeo.com",
        "www.youtube-nocookie.com",
    )
    assert frame_hosts([]) == ()


def test_frame_hosts_cover_every_embed_the_sanitiser_keeps() -> None:
    allowed = frame_hosts(DEFAULT_EMBED_HOSTS)
    for host in DEFAULT_EMBED_HOSTS:
        embed = sanitize_embed(f'<iframe src="https://{host}/embed/x"></iframe>', DEFAULT_EMBED_HOSTS)
        assert embed is not None
        assert embed.src.split("/")[2] in allowed
