"""Form photos: judged at intake, processed and hosted once when a post is published.

Pure (bytes and settings in, decisions and bytes out; tests in ``tests/photos/`` need no sandbox):

* :mod:`~bridge.photos.process`: the bytes: real type, pixel and memory budget, decode, shrink,
  turn upright, sRGB, strip metadata, re-encode; the copy key (hash of source and recipe).
* :mod:`~bridge.photos.rules`: what ``[photos]`` allows (options, file size, number of links),
  the links in a Foto cell, and the words officers read.

Steps that read Drive, write the ledger or a store:

* :mod:`~bridge.photos.source`: download one upload, judge it, remember its hash;
* :mod:`~bridge.photos.origin`: is it the form's own upload (its Drive folder)?
* :mod:`~bridge.photos.check`: intake's check; :mod:`~bridge.photos.host`: publishing's copies;
* :mod:`~bridge.photos.stores`: where copies live (a Drive folder, or a local folder the office's web server publishes);
* :mod:`~bridge.photos.probe`: ``check``'s look at a hosted photo as a reader's browser sees it.
"""
