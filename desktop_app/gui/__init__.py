"""The Qt window. The only package (with app.py) that imports PySide6. Never imports httpx:
app.py hands it an engine facade. Long work runs through gui.runner off the main thread.
"""
