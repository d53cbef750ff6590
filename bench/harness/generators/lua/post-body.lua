-- wrk script: POST the bytes of a file the harness wrote (a 1 KB JSON document,
-- or a multipart/form-data body around a 10 MiB file). The body is read once
-- per wrk thread, so nothing is built per request.
--   WRK_BODY_FILE     path of the body
--   WRK_CONTENT_TYPE  its Content-Type header
local path = assert(os.getenv("WRK_BODY_FILE"), "WRK_BODY_FILE is not set")
local file = assert(io.open(path, "rb"))
local body = file:read("*a")
file:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = assert(os.getenv("WRK_CONTENT_TYPE"), "WRK_CONTENT_TYPE is not set")
