"""Link previews: find a message's first link, fetch it safely, parse and store what it says.

The domain only: fetching (`fetch`, SSRF-safe), parsing (`parse`) and storage
(`service`). Scheduling a fetch after a message is stored and announcing the result is
`parley.actions.previews`'s job.
"""
