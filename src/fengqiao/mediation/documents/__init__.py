"""The case file (卷宗) in the standard people's-mediation document formats, as .docx.

`data.py` holds what a document prints (plain values, masked for the viewer), `formats.py` lays
out each document of the Ministry of Justice's formats and binds the whole file, `writer.py` the
python-docx moves they share. `fengqiao.mediation.casefile` fills the data from a case."""
