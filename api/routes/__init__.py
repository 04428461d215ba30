"""The routers, one per audience: services (caseworkers), chat (widget, partner portals), health, pages."""
