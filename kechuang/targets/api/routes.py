"""The app's REST routes, registered on the platform's router by ``kechuang.api_urls``."""


def register(router) -> None:
    pass
